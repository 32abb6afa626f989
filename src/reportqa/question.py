"""What a question asks about: its years, places, identifiers, and whether it wants a figure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from .tokenize import tokenize

YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?=\s*年)")
# Figures in an answer: Arabic numbers, percentages, and Chinese numerals with a counter.
FIGURE = re.compile(
    r"\d+(?:\.\d+)?\s*%?|[一二三四五六七八九十百千万两]+(?:个|项|件|次|家|所|名|人|条|批|类|场|期|轮|年)"
)
_WANTS_FIGURE = re.compile(r"多少|几[个项件次家所名人条批类场期轮年倍]?|比例|比重|占比|百分之|率|数量|金额|规模|增长|增速|总[额量数]|排名|第几")
_WANTS_PERSON = re.compile(r"谁|姓名|名字|叫什么")
# Question words carry no evidence; removing them keeps them out of the coverage measure.
_QUESTION_WORDS = re.compile(
    r"请问|多少|哪些|哪个|哪里|哪|什么|是否|有没有|有无|如何|怎样|怎么|为何|为什么|几|吗|呢|啊|呀|"
    r"请|告诉我|介绍一下|介绍|一下|分别|是谁|谁|情况|具体|主要|都|有哪|了|的|是"
)
_PLACE_SUFFIXES = ("省", "市", "区", "县", "镇", "州")
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9.\-]*")


@dataclass(frozen=True)
class QuestionFacts:
    text: str
    years: tuple[int, ...]
    places: tuple[str, ...]
    identifiers: tuple[str, ...]
    wants_figure: bool
    wants_person: bool
    tokens: tuple[str, ...]


@lru_cache(maxsize=1)
def _jieba_posseg():  # type: ignore[no-untyped-def]
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg


def find_places(text: str) -> list[str]:
    """Place names: words tagged as places, and a word followed by 省/市/区/县 ("光明" + "区")."""
    pairs = [(w, f) for w, f in _jieba_posseg().cut(text)]
    places: list[str] = []
    for i, (word, flag) in enumerate(pairs):
        nxt = pairs[i + 1][0] if i + 1 < len(pairs) else ""
        if flag == "ns" and len(word) >= 2:
            places.append(word + nxt if nxt in _PLACE_SUFFIXES else word)
        elif nxt in _PLACE_SUFFIXES and len(word) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", word):
            places.append(word + nxt)
    return list(dict.fromkeys(places))


def content_tokens(text: str) -> list[str]:
    return tokenize(_QUESTION_WORDS.sub("，", text))


def analyse(question: str) -> QuestionFacts:
    return QuestionFacts(
        text=question,
        years=tuple(sorted({int(y) for y in YEAR.findall(question)})),
        places=tuple(find_places(question)),
        identifiers=tuple(m.group().lower() for m in _LATIN.finditer(question)),
        wants_figure=bool(_WANTS_FIGURE.search(question)),
        wants_person=bool(_WANTS_PERSON.search(question)),
        tokens=tuple(dict.fromkeys(content_tokens(question))),
    )
