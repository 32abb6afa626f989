"""Questions that are not about the reports: greetings, questions about the tool, requests no report
answers (a poem, the weather, a recipe) and questions in English. None of them gets a cited
passage: the tool answers with a short help text or a polite refusal instead.

Pure functions; the engine decides before retrieval, so such a question costs no search.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from reportqa.lang import zh

Kind = Literal["help", "english", "out_of_domain"]

_HAN = re.compile(r"[\u4e00-\u9fff]")
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def classify(question: str) -> Kind | None:
    """What kind of non-report question this is, or None for a question about the reports."""
    text = question.strip()
    if zh.GREETING.match(text) or zh.ABOUT_TOOL.search(text):
        return "help"
    han = len(_HAN.findall(text))
    latin_words = _LATIN_WORD.findall(text)
    # "GDP增长多少" is Chinese with an English abbreviation; "What was GDP growth" is English.
    if len(latin_words) >= 3 and han < 4:
        return "english"
    if han == 0 and latin_words:
        return "english"
    if zh.OUT_OF_DOMAIN.search(text):
        return "out_of_domain"
    return None


EXAMPLES = (
    "“2024年全区新收行政复议案件多少件？”"
    "“2026年地区生产总值增长目标是多少？”"
    "“重点做好哪些方面的工作？”"
)


def help_text(titles: Sequence[str]) -> str:
    """What is loaded and what to ask."""
    shown = "、".join(f"《{t}》" for t in titles[:5])
    more = f"等{len(titles)}份报告" if len(titles) > 5 else f"共{len(titles)}份报告"
    loaded = f"已收录{shown}{more}。" if titles else "目前还没有收录报告。"
    return (
        f"您好！我可以回答关于已收录政府报告的问题，答案摘自报告原文并标注出处。{loaded}"
        f"可以这样问：{EXAMPLES}"
    )


def reply(kind: Kind, titles: Sequence[str]) -> str:
    if kind == "help":
        return help_text(titles)
    if kind == "english":
        return "请用中文提问，例如：“2024年全区新收行政复议案件多少件？”"
    return f"抱歉，这个问题与已收录的政府报告无关，我只能回答报告中的内容。可以这样问：{EXAMPLES}"
