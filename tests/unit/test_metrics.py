"""Metric functions on hand-computed cases."""

import math

import pytest

from reportqa.evaluation.metrics import (
    QuestionResult,
    answer_correct,
    answer_text,
    hit_at_k,
    holds_evidence,
    metric_table,
    ndcg_at_k,
    percentile,
    reciprocal_rank,
    summarise,
    summarise_by,
)
from reportqa.evaluation.record import EvalRecord
from reportqa.evaluation.report import chart_series, worst_failures
from reportqa.evaluation.runner import EvalQuestion, classify

SPAN = "2024年全区新收行政复议案件120件,办结87件,调解结案44件,调解率达50.6%"  # 42 characters


# --- relevance: whole span or 15 contiguous characters of one ---


def test_whole_span_is_evidence() -> None:
    assert holds_evidence("前文。" + SPAN + "。后文", [SPAN])


def test_fifteen_character_overlap_is_evidence() -> None:
    # A chunk that starts inside the span and holds only its last 15 characters.
    assert holds_evidence(SPAN[-15:] + "。下一句", [SPAN])
    # ... or its first 15.
    assert holds_evidence("上一句。" + SPAN[:15], [SPAN])


def test_fourteen_characters_are_not_evidence() -> None:
    assert not holds_evidence(SPAN[-14:] + "。下一句", [SPAN])
    # Two separate 10-character pieces of the span add up to 20 but are not contiguous.
    assert not holds_evidence(SPAN[:10] + "……" + SPAN[20:30], [SPAN])


def test_any_of_several_spans_counts() -> None:
    other = "深化“周末课堂”党员干部教育培训品牌打造"
    assert holds_evidence("……" + other, [SPAN, other])
    assert not holds_evidence("无关的文字", [SPAN, other])


def test_short_span_must_be_whole() -> None:
    assert holds_evidence("调解率达50.6%。", ["调解率达50.6%"])
    assert not holds_evidence("调解率达50", ["调解率达50.6%"])


def test_no_spans_no_evidence() -> None:
    assert not holds_evidence(SPAN, [])
    assert not holds_evidence(SPAN, [""])


# --- ranking ---


def test_hit_at_k() -> None:
    ranked = [False, False, True]
    assert hit_at_k(ranked, 1) == 0.0
    assert hit_at_k(ranked, 2) == 0.0
    assert hit_at_k(ranked, 3) == 1.0
    assert hit_at_k(ranked, 10) == 1.0
    assert hit_at_k([], 5) == 0.0


def test_reciprocal_rank() -> None:
    assert reciprocal_rank([True, True], 10) == 1.0
    assert reciprocal_rank([False, False, True], 10) == pytest.approx(1 / 3)
    assert reciprocal_rank([False, False, True], 2) == 0.0  # beyond the cut-off
    assert reciprocal_rank([False] * 10, 10) == 0.0


def test_ndcg_relevant_at_rank_three() -> None:
    # DCG = 1/log2(4) = 0.5; IDCG (one relevant chunk) = 1.
    assert ndcg_at_k([False, False, True], 10, total_relevant=1) == pytest.approx(0.5)


def test_ndcg_two_relevant() -> None:
    # DCG = 1 + 1/log2(4) = 1.5; IDCG = 1 + 1/log2(3) = 1.6309.
    expected = 1.5 / (1 + 1 / math.log2(3))
    assert ndcg_at_k([True, False, True], 10, total_relevant=2) == pytest.approx(expected)
    # Without the corpus count the list's own relevant items make the ideal.
    assert ndcg_at_k([True, False, True], 10) == pytest.approx(expected)


def test_ndcg_counts_relevant_chunks_missing_from_the_list() -> None:
    # Three relevant chunks exist, one was found at rank 1: DCG 1, IDCG 1 + 1/log2 3 + 1/2.
    expected = 1 / (1 + 1 / math.log2(3) + 0.5)
    assert ndcg_at_k([True, False], 10, total_relevant=3) == pytest.approx(expected)
    # The ideal never holds more than k items.
    assert ndcg_at_k([True], 1, total_relevant=3) == 1.0


def test_ndcg_nothing_relevant() -> None:
    assert ndcg_at_k([False] * 5, 10, total_relevant=0) == 0.0
    assert ndcg_at_k([False] * 5, 10, total_relevant=2) == 0.0
    assert ndcg_at_k([], 10) == 0.0


# --- answers ---


def test_answer_correct_needs_every_string() -> None:
    answer = "组织区政府常务会会前学法6次,学习各领域法律法规政策10余件[1]。"
    assert answer_correct(answer, False, ["6次", "10余件"])
    assert not answer_correct(answer, False, ["6次", "20余件"])


def test_refused_answer_is_wrong_even_if_it_holds_the_string() -> None:
    assert not answer_correct("无法回答：报告中没有6次的内容。", True, ["6次"])


def test_unanswerable_is_correct_only_when_refused() -> None:
    assert answer_correct("根据已收录的报告，无法回答这个问题。", True, [])
    assert not answer_correct("调解率达50.6%[1]。", False, [])


def test_citation_markers_do_not_split_a_figure() -> None:
    assert answer_text("减免证明材料1.3万[2]余件[1]。") == "减免证明材料1.3万余件。"
    assert answer_correct("减免证明材料1.3万[2]余件[1]。", False, ["1.3万余件"])


def test_percentile() -> None:
    values = [40.0, 10.0, 30.0, 20.0]
    assert percentile(values, 50) == pytest.approx(25.0)
    assert percentile(values, 95) == pytest.approx(38.5)  # 30 + 0.85 * (40 - 30)
    assert percentile(values, 0) == 10.0
    assert percentile(values, 100) == 40.0
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


# --- aggregates ---


def _result(**kw: object) -> QuestionResult:
    base: dict[str, object] = dict(
        answerable=True,
        correct=False,
        refused=False,
        retrieved=(),
        total_relevant=1,
        cited=(),
        latency_ms=10.0,
    )
    base.update(kw)
    return QuestionResult(**base)  # type: ignore[arg-type]


RESULTS = [
    # answered correctly, evidence at rank 1 and cited
    _result(correct=True, retrieved=(True, False), cited=(True,), latency_ms=10.0),
    # evidence at rank 3, but refused: no citations
    _result(refused=True, retrieved=(False, False, True), latency_ms=20.0),
    # evidence never retrieved, answered from two wrong passages
    _result(retrieved=(False,) * 10, cited=(False, False), latency_ms=30.0),
    # unanswerable, refused
    _result(answerable=False, correct=True, refused=True, total_relevant=0, latency_ms=40.0),
]


def test_summarise_by_hand() -> None:
    s = summarise(RESULTS)
    assert (s["questions"], s["answerable"], s["unanswerable"]) == (4, 3, 1)
    assert s["accuracy"] == pytest.approx(2 / 4)
    assert s["answerable_accuracy"] == pytest.approx(1 / 3)
    assert s["hit@1"] == pytest.approx(1 / 3)
    assert s["hit@3"] == pytest.approx(2 / 3)
    assert s["hit@5"] == pytest.approx(2 / 3)
    assert s["mrr@10"] == pytest.approx((1 + 1 / 3 + 0) / 3)
    assert s["ndcg@10"] == pytest.approx((1 + 0.5 + 0) / 3)
    # Three cited passages in all, one relevant; one of three questions cites its evidence.
    assert s["citation_precision"] == pytest.approx(1 / 3)
    assert s["citation_recall"] == pytest.approx(1 / 3)
    assert s["unanswerable_refused"] == 1.0
    assert s["answerable_refused"] == pytest.approx(1 / 3)
    assert s["latency_p50_ms"] == pytest.approx(25.0)
    assert s["latency_p95_ms"] == pytest.approx(38.5)


def test_empty_citation_lists() -> None:
    s = summarise([_result(refused=True), _result(refused=True)])
    assert s["citation_precision"] is None  # nothing cited: precision is undefined
    assert s["citation_recall"] == 0.0
    assert s["answerable_refused"] == 1.0
    assert s["unanswerable_refused"] is None


def test_only_unanswerable_questions() -> None:
    s = summarise([_result(answerable=False, refused=False, total_relevant=0)])
    assert s["accuracy"] == 0.0
    assert s["hit@5"] is None and s["mrr@10"] is None and s["answerable_accuracy"] is None
    assert s["unanswerable_refused"] == 0.0


def test_summarise_empty() -> None:
    s = summarise([])
    assert s["questions"] == 0
    assert s["accuracy"] is None and s["latency_p50_ms"] is None


def test_summarise_by_groups_in_key_order() -> None:
    groups = summarise_by(RESULTS, ["number", "paraphrase", "number", "unanswerable"])
    assert list(groups) == ["number", "paraphrase", "unanswerable"]
    assert groups["number"]["questions"] == 2
    assert groups["number"]["accuracy"] == 0.5
    assert groups["paraphrase"]["answerable_refused"] == 1.0
    assert groups["unanswerable"]["unanswerable_refused"] == 1.0


def test_metric_table() -> None:
    table = metric_table(
        {"hybrid": {"accuracy": 0.8571, "latency_p50_ms": 19.6, "questions": 175}},
        ["questions", "accuracy", "hit@5", "latency_p50_ms"],
        "retriever",
    )
    assert table.splitlines() == [
        "| retriever | questions | accuracy | hit@5 | latency_p50_ms |",
        "|---|---|---|---|---|",
        "| hybrid | 175 | 0.857 | – | 20 |",
    ]


# --- failure kinds and the report's choices ---


def _question(must_contain: tuple[str, ...]) -> EvalQuestion:
    return EvalQuestion(
        "q", "问题？", "答案", must_contain, (SPAN,) if must_contain else (), "number", "r.txt"
    )


def test_classify_failures() -> None:
    answerable, unanswerable = _question(("87件",)), _question(())
    assert classify(answerable, True, False, True, None) is None
    assert classify(answerable, False, False, False, None) == "retrieval_miss"
    assert classify(answerable, False, True, False, None) == "retrieval_miss"
    assert classify(answerable, False, True, True, None) == "wrong_refusal"
    assert classify(answerable, False, False, True, None) == "wrong_sentence"
    assert classify(unanswerable, False, False, False, None) == "missed_refusal"
    assert classify(answerable, False, False, False, "boom") == "error"
    assert _question(()).report_id == "r"


def _record(qid: str, failure: str | None) -> EvalRecord:
    q = EvalQuestion(qid, "问", "", (), (), "fact", "")
    result = QuestionResult(False, failure is None, False, (), 0, (), 1.0)
    return EvalRecord("hybrid", q, result, "", failure, None, False, (), ())


def test_worst_failures_take_each_kind_in_turn() -> None:
    records = [_record(str(i), kind) for i, kind in enumerate("aaaabc")] + [_record("9", None)]
    picked = worst_failures(records, ["a", "b", "c"], limit=4)
    assert [r.question.id for r in picked] == ["0", "4", "5", "1"]


def test_chart_series() -> None:
    by_type = summarise_by(RESULTS, ["number", "number", "number", "unanswerable"])
    groups, series = chart_series(by_type, summarise(RESULTS))
    assert groups == ["number", "unanswerable", "all"]
    assert series["accuracy"] == pytest.approx([1 / 3, 1.0, 0.5])
    assert math.isnan(series["hit@5"][1])  # no bar: hit@5 does not apply to unanswerable
    assert series["refused"] == pytest.approx([1 / 3, 1.0, 0.5])
