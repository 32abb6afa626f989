"""The answer step reads deeper when the best passages hold no answer (a second pass over the
passages ranked next), and runs each candidate sentence's evidence checks once per question."""

from __future__ import annotations

import pytest

from reportqa.answer import refusal
from reportqa.answer.compose import compose_answer, remembering
from reportqa.answer.evidence import CHECKS, run_checks
from reportqa.answer.passages import Passages
from reportqa.answer.question import analyse
from reportqa.answer.refusal import SentenceChecks
from reportqa.answer.scoring import Candidate, TermWeights
from reportqa.answer.settings import AnswerSettings
from reportqa.records import Chunk, Hit, ReportInfo

OPENING = "过去一年，全区坚持依法行政，法治政府建设各项工作取得新进展，群众满意度持续提升。"
ANSWER = "2024年全区新收行政复议案件120件，办结87件。"
TEXT = OPENING + ANSWER
TOP = Hit(0, Chunk("r", "一、总体情况", 0, len(OPENING), OPENING), 0.9)
DEEPER = Hit(1, Chunk("r", "二、行政复议", len(OPENING), len(TEXT), ANSWER), 0.4)
REPORTS = {"r": ReportInfo("某区2024年法治政府建设报告", (), (2024,))}
QUESTION = "2024年新收行政复议案件多少件？"
WEIGHTS = TermWeights({}, 100)


def passages(reserve: list[Hit]) -> Passages:
    return Passages([TOP], {"r": TEXT}, REPORTS, reserve=reserve)


def test_the_answer_in_a_passage_ranked_below_the_best_is_found_by_a_second_pass() -> None:
    answer = compose_answer(
        QUESTION, analyse(QUESTION), passages([DEEPER]), WEIGHTS, AnswerSettings()
    )
    assert not answer.refused
    assert "120件" in answer.answer
    assert [c for c in answer.checks if c["check"] == "second_pass"] == [
        {"check": "second_pass", "passed": True, "reason": "2 passages"}
    ]
    assert answer.hits == [TOP, DEEPER]
    [citation] = answer.citations
    assert TEXT[citation.start : citation.end] == citation.text


def test_without_passages_in_reserve_the_best_ones_alone_decide() -> None:
    answer = compose_answer(QUESTION, analyse(QUESTION), passages([]), WEIGHTS, AnswerSettings())
    assert answer.refused
    assert not any(c["check"] == "second_pass" for c in answer.checks)


def test_a_second_pass_that_finds_nothing_keeps_the_first_refusal() -> None:
    unrelated = "全区新建口袋公园3个。"
    text = OPENING + unrelated
    far = Hit(1, Chunk("r", "三、城市建设", len(OPENING), len(text), unrelated), 0.3)
    both = Passages([TOP], {"r": text}, REPORTS, reserve=[far])
    alone = Passages([TOP], {"r": text}, REPORTS)
    facts = analyse(QUESTION)
    with_reserve = compose_answer(QUESTION, facts, both, WEIGHTS, AnswerSettings())
    without = compose_answer(QUESTION, facts, alone, WEIGHTS, AnswerSettings())
    assert with_reserve.refused and without.refused
    assert with_reserve.answer == without.answer
    assert with_reserve.checks == without.checks


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    calls: dict[str, int] = {}

    def counting(fn):  # type: ignore[no-untyped-def]
        def check(*args):  # type: ignore[no-untyped-def]
            calls[fn.__name__] = calls.get(fn.__name__, 0) + 1
            return fn(*args)

        return check

    monkeypatch.setattr(refusal, "CHECKS", tuple(counting(fn) for fn in CHECKS))
    return calls


def candidate(hit: Hit) -> Candidate:
    return Candidate(0, hit, hit.chunk.start, hit.chunk.end, 1.0, 1.0, frozenset())


def test_each_check_of_a_sentence_runs_once_however_often_it_is_asked(
    counted: dict[str, int],
) -> None:
    facts = analyse("2023年新收行政复议案件多少件？")  # the year check fails first
    checks = SentenceChecks(facts, {"r": TEXT}, REPORTS)
    cand = candidate(DEEPER)
    first = checks.first_failure(cand)
    assert first is not None and first.name == "year"
    assert counted == {"check_year": 1}  # screening stops at the first failure
    full = checks.all(cand)
    assert checks.first_failure(cand) == first
    assert checks.all(cand) == full
    assert full == run_checks(facts, ANSWER, DEEPER.chunk.section, REPORTS["r"])
    assert set(counted.values()) == {1} and len(counted) == len(CHECKS)


def test_each_sentence_is_embedded_once_per_question_whichever_pass_asks() -> None:
    asked: list[list[str]] = []

    def similarity(sentences: list[str]) -> list[float]:
        asked.append(list(sentences))
        return [float(len(s)) for s in sentences]

    remembered = remembering(similarity)
    assert remembered(["甲乙", "丙"]) == [2.0, 1.0]
    assert remembered(["丙", "丁戊己", "丁戊己"]) == [1.0, 3.0, 3.0]
    assert asked == [["甲乙", "丙"], ["丁戊己"]]
