"""The answer step's parts on their own: citations built once (frozen, highlights a tuple) and the
thresholds read from AnswerSettings."""

from __future__ import annotations

import dataclasses

import pytest

from reportqa.answer.citations import quote
from reportqa.answer.evidence import ReportInfo
from reportqa.answer.question import QuestionFacts
from reportqa.answer.scoring import Candidate, TermWeights, select
from reportqa.answer.settings import AnswerSettings
from reportqa.records import Chunk, Hit

TEXT = "全区新收行政复议案件120件。办结87件。调解结案44件。"
CHUNK = Chunk("r", "一、复议", 0, len(TEXT), TEXT)
REPORTS = {"r": ReportInfo("某区报告", ("某区",), (2024,))}
FACTS = QuestionFacts(
    text="新收行政复议案件多少件，调解结案多少件？",
    years=(),
    places=(),
    identifiers=(),
    wants_figure=True,
    wants_person=False,
    wants_list=False,
    measure=None,
    subset=None,
    tokens=("复议", "调解"),
)


def sentence(text: str, score: float, matched: frozenset[str] = frozenset()) -> Candidate:
    start = TEXT.index(text)
    return Candidate(0, Hit(7, CHUNK, 0.5), start, start + len(text), score, score, matched)


def test_sentences_of_one_passage_share_one_citation_with_every_quoted_span() -> None:
    second, first = sentence("调解结案44件。", 0.9), sentence("全区新收行政复议案件120件。", 0.8)
    quoted = quote([second, first], {"r": TEXT}, REPORTS, FACTS, AnswerSettings())
    # read in the report's order, one number for the passage
    assert quoted.text == "全区新收行政复议案件120件[1]；调解结案44件[1]。"
    [citation] = quoted.citations
    assert citation.n == 1 and citation.title == "某区报告"
    assert citation.highlights == ((first.start, first.end), (second.start, second.end))
    assert citation.to_dict()["highlights"] == [
        [first.start, first.end],
        [second.start, second.end],
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        citation.highlights = ()  # type: ignore[misc]


def test_a_companion_sentence_is_admitted_by_the_settings_thresholds() -> None:
    weight = TermWeights({"复议": 1, "调解": 1}, 100)
    best = sentence("全区新收行政复议案件120件。", 1.0, frozenset({"复议"}))
    companion = sentence("调解结案44件。", 0.7, frozenset({"调解"}))
    assert select([best, companion], weight, AnswerSettings()) == [best, companion]
    stricter = AnswerSettings(companion_min_score_share=0.8)
    assert select([best, companion], weight, stricter) == [best]
    heavier = AnswerSettings(companion_min_added_weight=weight("调解") + 0.1)
    assert select([best, companion], weight, heavier) == [best]


def test_the_question_terms_are_weighed_once_however_often_they_are_asked() -> None:
    asked: list[str] = []

    class Counting(dict[str, int]):
        def get(self, key: str, default: int | None = None) -> int | None:  # type: ignore[override]
            asked.append(key)
            return super().get(key, default)

    weights = TermWeights(Counting({"复议": 3, "调解": 40}), 100)
    weight = weights.looked_up(FACTS.tokens)
    for _ in range(5):
        assert [weight(t) for t in FACTS.tokens] == [weights(t) for t in FACTS.tokens]
    assert asked.count("复议") == 1 + 5  # once for the table, then only the direct calls above
    assert weight("其他") == weights("其他")  # a term outside the question is still weighed
