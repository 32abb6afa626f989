"""What is wrong with a question typed in the web chat, said in Chinese only (the page is Chinese;
the command line keeps its bilingual messages)."""

from __future__ import annotations

import re

from reportqa.engine import MAX_QUESTION_CHARS

EXAMPLE = "2024年全区新收行政复议案件多少件？"
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def counter_text(question: str) -> str:
    """The character counter under the box: characters used of those allowed."""
    return f"{len(question.strip())} / {MAX_QUESTION_CHARS} 字"


def question_problem(question: object) -> str | None:
    """A Chinese message saying what to fix, or None when the question can be asked."""
    text = question.strip() if isinstance(question, str) else ""
    if not text:
        return "问题为空：请输入一个问题。"
    if len(text) > MAX_QUESTION_CHARS:
        return f"问题过长（{len(text)} 字），请删减到 {MAX_QUESTION_CHARS} 字以内。"
    if not _HAN.search(text):
        # The reports are Chinese and so is the index: an English question cannot match them.
        hint = "请用中文提问" if _LATIN.search(text) else "请用中文描述您的问题"
        return f"{hint}，例如：{EXAMPLE}"
    return None
