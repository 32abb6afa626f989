"""What a question asks about: its years, places, identifiers, and whether it wants a figure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from reportqa import rules
from reportqa.indexing.tokenize import tokenize
from reportqa.lang import zh

# Re-exported: compose.py and others read these names from here.
YEAR = zh.YEAR
FIGURE = zh.FIGURE


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
    # Years named relative to the report ("去年" = -1), resolved against each report's year.
    relative_years: tuple[int, ...] = ()
    # Years named in passing ("自2022年上线以来"): matched by the same year in the same role.
    passing_years: tuple[int, ...] = ()
    wants_reason: bool = False
    asks_target: bool = False
    asks_result: bool = False
    # Report names of indicators the question names another way ("GDP" -> "地区生产总值").
    aliases: tuple[str, ...] = ()


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


# The shipped dictionary's tags of the words learn_place_names re-tagged (None: not a word of
# it). Detecting a report's metadata reads words through shipped_words, so it gives the same result
# in a fresh command as in a server that has opened an index and learned its places.
_SHIPPED_TAGS: dict[str, str | None] = {}


def shipped_words(word: str, tag: str) -> list[tuple[str, str | None]]:
    """A segmented word as the shipped dictionary reads it, whatever places were learned since:
    a learned word keeps its shipped tag, and a learned full name the dictionary lacks
    ("天门市") is its short name ("天门", with that one's shipped tag) and its suffix."""
    if word not in _SHIPPED_TAGS:
        return [(word, tag)]
    if _SHIPPED_TAGS[word] is not None:
        return [(word, _SHIPPED_TAGS[word])]
    short = zh.strip_admin_suffix(word)
    if short == word:
        return [(word, None)]
    known = jieba_posseg().dt.word_tag_tab.get(short)
    return [(short, _SHIPPED_TAGS.get(short, known)), (word[len(short) :], None)]


def learn_place_names(places: list[str]) -> None:
    """Teach the segmenter the places of the indexed reports ("嘉兴", "天门"), in full and short
    form, so a question naming them finds them as places: its dictionary tags some as person
    names ("嘉兴/nr") and lacks others."""
    if not rules.on("places"):
        return
    tokenizer = jieba_posseg().dt
    for place in places:
        for form in {place, zh.strip_admin_suffix(place)}:
            if len(form) >= 2 and tokenizer.word_tag_tab.get(form) != "ns":
                _SHIPPED_TAGS.setdefault(form, tokenizer.word_tag_tab.get(form))
                tokenizer.add_word(form, 1000, "ns")


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
        if word in zh.GENERIC_AREAS or word.endswith("化"):
            # "法治化" is tagged as a place; a word in -化 names a process, never a place
            continue
        if flag == "ns" and len(word) >= 2:
            places.append(word + nxt if nxt in zh.PLACE_SUFFIX_WORDS else word)
        elif (
            nxt in zh.PLACE_SUFFIX_WORDS
            and len(word) >= 2
            and re.fullmatch(r"[\u4e00-\u9fff]+", word)
        ):
            places.append(word + nxt)
        elif (
            len(word) >= 3
            and word.endswith(zh.PLACE_SUFFIX_WORDS)
            and not zh.AREA_NOUNS.search(word)
            and flag not in ("v", "vn", "l", "m")
        ):
            # the segmenter tags some district names as person names ("鸠江区/nr")
            places.append(word)
    # "广东地区生产总值": 地区 belongs to the indicator, not to the place
    places = [p[:-2] if p.endswith("地区") and len(p) >= 4 else p for p in places]
    return list(dict.fromkeys(places))


def subset_qualifier(question: str) -> str | None:
    """The qualifier of a part asked for: "刑事" in "…案件中刑事案件有多少件"; None when the part is
    a bare noun or not a noun phrase ("…考评中排第几")."""
    match = zh.SUBSET.search(question[:MAX_SUBSET_CHARS])
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
    return tokenize(zh.QUESTION_WORDS.sub("，", text))


def analyse(question: str) -> QuestionFacts:
    """The question's facts. The engine computes them once per question and passes them to
    routing, retrieval and the answer step."""
    question_digits = zh.arabic_years(question)
    places = find_places(question_digits)
    # Years and places are checked on their own (they may be implied by the report's title);
    # only the rest of the question measures how well a sentence covers it.
    # Coverage is measured on the names reports print: "GDP" counts as 生产总值.
    topic = zh.RELATIVE_YEAR.sub("，", YEAR.sub("，", zh.with_report_names(question_digits)))
    for place in sorted(places, key=len, reverse=True):
        topic = topic.replace(place, "，")
    aliases = zh.indicator_aliases(question)
    wants_reason = bool(zh.WANTS_REASON.search(question))
    # "为什么增长" and "如何提高满意度" ask for a reason or a way, not for a figure.
    wants_figure = bool(zh.WANTS_FIGURE.search(question)) and not (
        wants_reason and not re.search(r"多少|几|第几|比例|占比", question)
    )
    measure = m.group(1) if (m := zh.ASKED_MEASURE.search(question)) else None
    if measure and measure[-2:] in zh.GENERIC_MEASURES:
        measure = None
    return QuestionFacts(
        text=question,
        years=tuple(sorted(zh.years_in(question))),
        passing_years=tuple(sorted(zh.passing_years(question))),
        places=tuple(places),
        identifiers=tuple(
            m.group().lower() for m in zh.LATIN.finditer(zh.with_phrase_names(question))
        ),
        wants_figure=wants_figure,
        wants_person=bool(zh.WANTS_PERSON.search(question)),
        wants_list=bool(zh.WANTS_LIST.search(question)),
        measure=None if wants_reason else measure,
        subset=subset_qualifier(question),
        tokens=tuple(dict.fromkeys(t for t in content_tokens(topic) if t != "年")),
        relative_years=tuple(sorted(zh.asked_relative_years(question))),
        wants_reason=wants_reason,
        asks_target=bool(zh.ASKS_TARGET.search(zh.last_clause(question))),
        asks_result=bool(zh.ASKS_RESULT.search(zh.last_clause(question))),
        aliases=tuple(aliases),
    )
