"""What a question asks about: its years, places, identifiers, and whether it wants a figure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .tokenize import tokenize

YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?=\s*年)")
# Figures in an answer: Arabic numbers, percentages, and Chinese numerals with a counter.
# A lone 一 before a counter is usually an article, not a quantity ("办成一件事", "一批").
FIGURE = re.compile(
    r"\d+(?:\.\d+)?\s*%?"
    r"|(?:[二三四五六七八九十百千万两]|一[十百千万])[一二三四五六七八九十百千万两]*"
    r"(?:个|项|件|次|家|所|名|人|条|批|类|场|期|轮|年)"
)
_WANTS_FIGURE = re.compile(
    r"多少|(?<!哪)几[个项件次家所名人条批类场期轮年倍]?|比例|比重|占比|百分之|率|数量|金额|规模|增长|增速|总[额量数]|排名|第几"
)
# A part of a whole asked for ("法律援助案件中刑事案件有多少件"): the part's qualifier (刑事) must be
# in the evidence, or the answer would give the whole for the part.
_SUBSET = re.compile(
    r"[\u4e00-\u9fff]{2,}中(?:的)?([\u4e00-\u9fff]{2,8}?)(?:有|是|为|共|一共)?(?:多少|几)"
)
_WANTS_LIST = re.compile(
    r"哪些|哪几|几个方面|几项|包括什么|包括哪|有什么(?:措施|举措|问题|不足|安排)"
)
_WANTS_PERSON = re.compile(
    r"谁|姓名|(?:长|书记|主任|负责人|代表|委员)[^，,。？?]{0,6}(?:叫什么|名字)"
)
# Question words carry no evidence; removing them keeps them out of the coverage measure.
_QUESTION_WORDS = re.compile(
    r"请问|多少|哪些|哪个|哪里|哪|什么|是否|有没有|有无|如何|怎样|怎么|为何|为什么|几|吗|呢|啊|呀|"
    r"请|告诉我|介绍一下|介绍|一下|分别|是谁|谁|情况|具体|主要|都|有哪|了|的|是"
)
_PLACE_SUFFIXES = ("省", "市", "区", "县", "镇", "州")
# Words tagged as places that name a kind of area rather than one place.
_GENERIC_AREAS = frozenset(
    ["城镇", "农村", "城乡", "乡村", "城市", "全国", "全省", "全市", "全区", "国内", "国际"]
    + ["海外", "境外", "境内", "基层", "地方", "中国", "全球", "世界", "两岸", "沿海", "沿江"]
    + ["内地", "东部", "西部", "中部", "北部", "南部"]
)
# Nouns that end like a place but name a kind of area, not a place ("示范区", "社区").
_AREA_NOUNS = re.compile(
    r"(?:示范|开发|先行|试验|实验|保护|功能|服务|园|社|景|城|市|片|辖|校|街|小)区$"
)
# A named rate or degree asked for ("败诉率是多少", "满意度如何"): the evidence must name it too,
# since a report that gives one rate (应诉率) says nothing of another (败诉率).
_ASKED_MEASURE = re.compile(
    r"([\u4e00-\u9fff]{2}(?:率|度))(?:是|为|达到|达|有|约)?(?:多少|几|怎样|如何|多高|怎么样)"
)
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9.\-]*")


@dataclass(frozen=True)
class QuestionFacts:
    text: str
    years: tuple[int, ...]
    places: tuple[str, ...]
    identifiers: tuple[str, ...]
    wants_figure: bool
    wants_person: bool
    wants_list: bool
    measure: str | None
    subset: str | None
    tokens: tuple[str, ...]


@lru_cache(maxsize=1)
def jieba_posseg() -> Any:
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    return jieba.posseg


# Bounds on the cost of analysing a question (at most 2,000 characters). The segmenter's HMM,
# which finds words its dictionary lacks, costs about 5 ms per character of unknown text: seconds
# for a long question of rare characters. It reads the question's first MAX_HMM_CHARS characters
# (longer than any question of the evaluation set); the rest is segmented by the dictionary
# alone, which is linear and fast. The part-of-a-whole pattern backtracks quadratically, so it
# reads the first MAX_SUBSET_CHARS.
MAX_HMM_CHARS = 64
MAX_SUBSET_CHARS = 120


def segment(text: str) -> list[tuple[str, str]]:
    """(word, part of speech) pairs; the HMM reads only the first MAX_HMM_CHARS characters."""
    posseg = jieba_posseg()
    head, tail = text[:MAX_HMM_CHARS], text[MAX_HMM_CHARS:]
    pairs = [(w, f) for w, f in posseg.cut(head)]
    if tail:
        pairs += [(w, f) for w, f in posseg.cut(tail, HMM=False)]
    return pairs


def find_places(text: str) -> list[str]:
    """Place names: words tagged as places, and a word followed by 省/市/区/县 ("光明" + "区")."""
    pairs = segment(text)
    places: list[str] = []
    for i, (word, flag) in enumerate(pairs):
        nxt = pairs[i + 1][0] if i + 1 < len(pairs) else ""
        if word in _GENERIC_AREAS or word.endswith("化"):
            # "法治化" is tagged as a place; a word in -化 names a process, never a place
            continue
        if flag == "ns" and len(word) >= 2:
            places.append(word + nxt if nxt in _PLACE_SUFFIXES else word)
        elif nxt in _PLACE_SUFFIXES and len(word) >= 2 and re.fullmatch(r"[\u4e00-\u9fff]+", word):
            places.append(word + nxt)
        elif (
            len(word) >= 3
            and word.endswith(_PLACE_SUFFIXES)
            and not _AREA_NOUNS.search(word)
            and flag not in ("v", "vn", "l", "m")
        ):
            # the segmenter tags some district names as person names ("鸠江区/nr")
            places.append(word)
    return list(dict.fromkeys(places))


def subset_qualifier(question: str) -> str | None:
    """The qualifier of a part asked for: "刑事" in "…案件中刑事案件有多少件"; None when the part is
    a bare noun or not a noun phrase ("…考评中排第几")."""
    match = _SUBSET.search(question[:MAX_SUBSET_CHARS])
    if not match:
        return None
    part = match.group(1)
    words = [(w, f) for w, f in jieba_posseg().cut(part)]
    if len(part) < 4 or not words[-1][1].startswith("n"):
        return None
    # the leading two characters qualify the head noun, whether the segmenter splits the phrase
    # ("调解|结案") or keeps it whole ("刑事案件")
    return part[:2]


def content_tokens(text: str) -> list[str]:
    return tokenize(_QUESTION_WORDS.sub("，", text))


@lru_cache(maxsize=1024)  # routing and the answer step both ask; the facts are immutable
def analyse(question: str) -> QuestionFacts:
    places = find_places(question)
    # Years and places are checked on their own (they may be implied by the report's title);
    # only the rest of the question measures how well a sentence covers it.
    topic = YEAR.sub("，", question)
    for place in sorted(places, key=len, reverse=True):
        topic = topic.replace(place, "，")
    return QuestionFacts(
        text=question,
        years=tuple(sorted({int(y) for y in YEAR.findall(question)})),
        places=tuple(places),
        identifiers=tuple(m.group().lower() for m in _LATIN.finditer(question)),
        wants_figure=bool(_WANTS_FIGURE.search(question)),
        wants_person=bool(_WANTS_PERSON.search(question)),
        wants_list=bool(_WANTS_LIST.search(question)),
        measure=(m.group(1) if (m := _ASKED_MEASURE.search(question)) else None),
        subset=subset_qualifier(question),
        tokens=tuple(dict.fromkeys(t for t in content_tokens(topic) if t != "年")),
    )
