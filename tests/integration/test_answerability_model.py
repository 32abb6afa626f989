"""The shipped answerability weights on a real index: questions generated from the 安徽 report (a
training report) are answered when the report gives the figure and refused when their year,
place, subject or kind was swapped; `--json` shows the model's score; switched off, the rules
alone decide."""

from __future__ import annotations

import pytest

from reportqa import rules
from reportqa.answer import answerability
from reportqa.engine import Engine
from reportqa.evaluation.synthetic import OTHER_PLACES, GeneratedQuestion, generate
from reportqa.ingest.parse import split_sentences

REPORT = "anhui-2026-zfgzbg"


def generated(engine: Engine) -> list[GeneratedQuestion]:
    text = engine.texts[REPORT]
    pairs = [
        (chunk.section, text[s:e])
        for _, chunk in engine.chunks_of(REPORT)
        for s, e in split_sentences(text, chunk.start, chunk.end)
    ]
    reports = [(f"{REPORT}.txt", text, engine.reports[REPORT], pairs)]
    return generate(reports, OTHER_PLACES, seed=0, per_report=12)


def right(engine: Engine, q: GeneratedQuestion) -> bool:
    answer = engine.ask(q.question)
    if not q.answerable:
        return answer.refused
    return not answer.refused and all(m in answer.answer for m in q.must_contain)


def test_generated_positives_are_answered_and_negatives_refused(all_engine: Engine) -> None:
    questions = generated(all_engine)
    assert answerability.load_model() is not None
    outcomes = [(q, right(all_engine, q)) for q in questions]
    answered = [q for q, ok in outcomes if ok and q.answerable]
    refused = [q for q, ok in outcomes if ok and not q.answerable]
    assert answered and refused
    assert sum(ok for _, ok in outcomes) / len(outcomes) >= 0.7


def test_json_shows_the_model_score(all_engine: Engine) -> None:
    positive = next(q for q in generated(all_engine) if q.answerable)
    checks = all_engine.ask(positive.question).to_dict()["checks"]
    scored = [c for c in checks if c["check"] == "answerability"]
    assert len(scored) == 1 and isinstance(scored[0]["reason"], str)
    probability = float(scored[0]["reason"].split()[0])
    assert 0.0 <= probability <= 1.0
    refusal = all_engine.ask("2019年安徽省生猪出栏多少万头？")  # a year the report does not cover
    assert refusal.refused
    assert any(c["check"] == "answerability" and not c["passed"] for c in refusal.checks)


def test_switched_off_the_rules_decide(all_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    question = next(q for q in generated(all_engine) if q.answerable).question
    answerability.load_model.cache_clear()
    monkeypatch.setattr(rules, "OFF", frozenset({"answerability"}))
    try:
        checks = all_engine.ask(question).checks
    finally:
        answerability.load_model.cache_clear()
    assert checks and all(c["check"] != "answerability" for c in checks)
