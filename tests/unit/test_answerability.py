"""The answerability model's features and decision (pure: hand-made candidates, hand-made
weights), and the shipped weights file's shape."""

from __future__ import annotations

import json
import math

import pytest

from reportqa import rules
from reportqa.answer import answerability
from reportqa.answer.answerability import (
    FEATURE_NAMES,
    Model,
    Weighed,
    bigrams,
    candidate_features,
    decide,
)
from reportqa.answer.evidence import run_checks
from reportqa.answer.question import analyse
from reportqa.answer.scoring import Candidate
from reportqa.records import Chunk, Hit, ReportInfo

REPORT = ReportInfo(
    title="2026年安徽省政府工作报告", places=("安徽省",), years=(2025, 2026), kind="政府工作报告"
)
SECTION = "一、2025年工作回顾"


def candidate(sentence: str, coverage: float, rank: int = 0, report: str = "anhui") -> Candidate:
    chunk = Chunk(report, SECTION, 0, len(sentence), sentence)
    return Candidate(
        rank, Hit(rank, chunk, 1.0), 0, len(sentence), coverage + 0.1, coverage, frozenset()
    )


def features(question: str, sentence: str, coverage: float = 0.8, **kw: object) -> dict[str, float]:
    facts = analyse(question)
    checks = run_checks(facts, sentence, SECTION, REPORT)
    cand = candidate(sentence, coverage)
    return candidate_features(
        facts,
        cand,
        sentence,
        SECTION,
        checks,
        lambda token: 1.0,
        sentence_rank=int(kw.get("sentence_rank", 0)),  # type: ignore[call-overload]
        best_coverage=float(kw.get("best_coverage", coverage)),  # type: ignore[arg-type]
        top_report="anhui",
        rule_anchor=cand if kw.get("rules_how") else None,
        rule_how=str(kw.get("rules_how", "")),
    )


def test_bigrams_are_chinese_character_pairs() -> None:
    assert bigrams("GDP增长5%左右") == {"增长", "左右"}


def test_every_feature_is_computed() -> None:
    values = features("2025年安徽地区生产总值增长多少？", "全省地区生产总值增长5.5%。")
    assert set(values) == set(FEATURE_NAMES)


def test_a_sentence_with_the_thing_and_a_figure() -> None:
    values = features("2025年安徽地区生产总值增长多少？", "全省地区生产总值增长5.5%。")
    assert values["thing_named"] == 1.0
    assert values["figure_asked_and_given"] == 1.0 and values["figure_asked_not_given"] == 0.0
    assert values["all_checks_passed"] == 1.0 and values["checks_failed"] == 0.0
    assert values["bigram_overlap"] > 0.8


def test_a_sentence_without_a_figure_fails_the_answer_kind_check() -> None:
    values = features("2025年安徽地区生产总值增长多少？", "地区生产总值稳步增长。")
    assert values["figure_asked_not_given"] == 1.0
    assert values["failed_answer_kind"] == 1.0 and values["all_checks_passed"] == 0.0


def test_a_year_the_report_does_not_cover_fails_the_year_check() -> None:
    values = features("2021年安徽地区生产总值增长多少？", "全省地区生产总值增长5.5%。")
    assert values["failed_year"] == 1.0 and values["checks_failed"] >= 1.0


def test_another_subject_lowers_the_overlap() -> None:
    same = features("2025年安徽粮食产量是多少？", "粮食产量830.6亿斤。")
    other = features("2025年安徽生猪出栏是多少？", "粮食产量830.6亿斤。")
    assert other["bigram_overlap"] < same["bigram_overlap"]
    assert other["thing_named"] == 0.0


def test_rank_and_gap() -> None:
    values = features(
        "2025年安徽粮食产量是多少？",
        "粮食产量830.6亿斤。",
        coverage=0.5,
        sentence_rank=3,
        best_coverage=0.9,
    )
    assert values["sentence_rank"] == pytest.approx(0.25)
    assert values["coverage_gap"] == pytest.approx(-0.4)
    assert values["rules_answer"] == 0.0 and values["rules_answer_with"] == 0.0


def test_the_rules_choice_is_a_feature() -> None:
    values = features("粮食产量是多少？", "粮食产量830.6亿斤。", rules_how="similarity")
    assert values["rules_answer"] == values["rules_answer_with"] == 1.0
    assert values["rules_by_similarity"] == 1.0
    values = features("粮食产量是多少？", "粮食产量830.6亿斤。", rules_how="coverage")
    assert values["rules_answer_with"] == 1.0 and values["rules_by_similarity"] == 0.0


def model(threshold: float = 0.5, coverage_coef: float = 4.0) -> Model:
    # p = sigmoid(coverage_coef * (coverage - 0.5)): 0.5 at coverage 0.5
    return Model(("coverage",), (0.5,), (1.0,), (coverage_coef,), 0.0, threshold)


def weighed(coverage: float, rank: int = 0) -> Weighed:
    return Weighed(candidate("句子。", coverage, rank), [], {"coverage": coverage})


def test_probability_is_the_logistic_of_the_standardised_sum() -> None:
    assert model().probability({"coverage": 0.5}) == pytest.approx(0.5)
    assert model().probability({"coverage": 1.0}) == pytest.approx(1 / (1 + math.exp(-2)))
    assert model().probability({}) < 0.5  # a missing feature counts as 0


def test_decide_answers_with_the_likeliest_candidate() -> None:
    low, high = weighed(0.6, rank=0), weighed(0.9, rank=1)
    verdict = decide(model(), [low, high])
    assert verdict.chosen is high.cand and verdict.best is high
    assert verdict.check.name == "answerability" and verdict.check.passed
    assert verdict.check.reason.startswith("0.83")


def test_decide_refuses_below_the_threshold_and_says_its_score() -> None:
    verdict = decide(model(threshold=0.9), [weighed(0.6), weighed(0.9)])
    assert verdict.chosen is None and not verdict.check.passed
    assert verdict.check.reason == "0.83 < 0.90"
    assert decide(model(), []).chosen is None


def test_a_failed_check_the_model_gives_no_weight_keeps_its_veto() -> None:
    # failed_scope at zero: the generated questions never taught the model what it means
    m = Model(
        ("coverage", "failed_scope", "failed_year"), (0.5, 0.0, 0.0), (1.0, 1.0, 1.0),
        (4.0, 0.0, -1.0), 0.0, 0.5,
    )  # fmt: skip
    scope_fails = Weighed(
        candidate("全区120件。", 0.9, 0), [], {"coverage": 0.9, "failed_scope": 1.0}
    )
    clean = Weighed(candidate("全市120件。", 0.7, 1), [], {"coverage": 0.7})
    assert decide(m, [scope_fails, clean]).chosen is clean.cand
    alone = decide(m, [scope_fails])
    assert alone.chosen is None and not alone.check.passed and "scope" in alone.check.reason
    # a failure the model does weigh is weighed, not vetoed
    year_fails = Weighed(candidate("句子。", 0.9, 0), [], {"coverage": 0.9, "failed_year": 1.0})
    assert decide(m, [year_fails]).chosen is year_fails.cand


def test_model_reads_its_weights_from_a_dict() -> None:
    m = Model.from_dict(
        {
            "features": ["coverage"],
            "mean": [0.5],
            "scale": [1],
            "coef": [4],
            "intercept": 0,
            "threshold": 0.5,
        }
    )
    assert m == model()


def test_the_shipped_weights_read_only_computed_features() -> None:
    # a check added later gets no weight (it is ignored) until `make train` is run again
    data = json.loads(answerability.WEIGHTS_FILE.read_text(encoding="utf-8"))
    assert set(data["features"]) <= set(FEATURE_NAMES)
    assert {f for f in FEATURE_NAMES if not f.startswith("failed_")} <= set(data["features"])
    assert len(data["coef"]) == len(data["mean"]) == len(data["scale"]) == len(FEATURE_NAMES)
    assert 0 < data["threshold"] < 1


def test_the_model_can_be_switched_off(monkeypatch: pytest.MonkeyPatch) -> None:
    answerability.load_model.cache_clear()
    monkeypatch.setattr(rules, "OFF", frozenset({"answerability"}))
    try:
        assert answerability.load_model() is None
    finally:
        answerability.load_model.cache_clear()
