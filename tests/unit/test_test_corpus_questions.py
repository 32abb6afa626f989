"""Checks of the held-out question set eval/test_corpus.jsonl against the reports it is about.

Every gold span and every expected string must occur in the report's text exactly as reportqa
reads it (for a .docx, the text its own Word reader produces), so that a wrong answer in the
evaluation is the answer's fault and never a typo in the question set.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from paths import EVAL_DIR
from question_files import CORPUS_DIR, DEV_CORPUS, TRAPS, TYPES, UNANSWERABLE, load
from question_files import corpus_report_path as report_path
from question_files import corpus_report_text as report_text

QUESTIONS_PATH = EVAL_DIR / "test_corpus.jsonl"
REQUIRED = {"id", "question", "answer", "must_contain", "gold_spans", "type", "report"}
OPTIONAL = {"trap", "note"}


QUESTIONS = load(QUESTIONS_PATH)
ABOUT_REPORTS = [q for q in QUESTIONS if q["type"] != "chitchat"]


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: str(q.get("id")))
def test_schema(q: dict[str, Any]) -> None:
    assert REQUIRED <= set(q) <= REQUIRED | OPTIONAL
    assert q["id"].startswith("tc-")
    assert q["type"] in TYPES
    assert isinstance(q["question"], str) and q["question"].strip()
    assert isinstance(q["answer"], str) and q["answer"].strip()
    assert isinstance(q["must_contain"], list) and isinstance(q["gold_spans"], list)
    assert all(isinstance(s, str) and s for s in q["must_contain"] + q["gold_spans"])
    if "trap" in q:
        assert q["trap"] in TRAPS


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: str(q.get("id")))
def test_kind_consistency(q: dict[str, Any]) -> None:
    if q["type"] == "chitchat":
        # Not about any report: no report, nothing to cite, nothing to contain.
        assert q["report"] is None
        assert q["must_contain"] == [] and q["gold_spans"] == []
        assert "trap" not in q
        return
    assert isinstance(q["report"], str)
    assert q["report"] not in DEV_CORPUS
    assert report_path(q["report"]).is_file(), q["report"]
    if q["type"] == "unanswerable":
        assert q["answer"] == UNANSWERABLE
        assert q["must_contain"] == [] and q["gold_spans"] == []
        assert "trap" in q, "an unanswerable question says which trap it sets"
    else:
        assert q["answer"] != UNANSWERABLE
        assert q["must_contain"] and q["gold_spans"]
        assert "trap" not in q


@pytest.mark.parametrize("q", ABOUT_REPORTS, ids=lambda q: str(q.get("id")))
def test_strings_occur_in_report(q: dict[str, Any]) -> None:
    text = report_text(q["report"])
    for span in q["gold_spans"]:
        assert 15 <= len(span) <= 80, span
        assert span in text, span
    for needle in q["must_contain"]:
        assert needle in text, needle
        # The expected string is the evidence's own wording, not a figure computed elsewhere.
        assert any(needle in span for span in q["gold_spans"]), needle


def test_unique_ids_and_questions() -> None:
    for key in ("id", "question"):
        repeated = [v for v, n in Counter(q[key] for q in QUESTIONS).items() if n > 1]
        assert not repeated, key


def test_coverage() -> None:
    """Enough questions, on enough unseen reports of both kinds, of every type and trap."""
    reports = {q["report"] for q in ABOUT_REPORTS}
    assert len(ABOUT_REPORTS) >= 90
    assert sum(not r.endswith(".docx") for r in reports) >= 11
    assert sum(r.endswith(".docx") for r in reports) >= 11
    per_report = Counter(q["report"] for q in ABOUT_REPORTS)
    assert min(per_report.values()) >= 3
    assert {q["type"] for q in QUESTIONS} == TYPES
    assert {"year", "place", "subject", "plan_vs_result"} <= {q.get("trap") for q in QUESTIONS}
    assert sum(q["type"] == "chitchat" for q in QUESTIONS) >= 10
    unanswerable = sum(q["type"] == "unanswerable" for q in ABOUT_REPORTS)
    assert 0.2 <= unanswerable / len(ABOUT_REPORTS) <= 0.35


def test_report_copies_have_provenance() -> None:
    sources = (CORPUS_DIR / "SOURCES.md").read_text(encoding="utf-8")
    for name in {q["report"] for q in ABOUT_REPORTS}:
        assert report_path(name).parent.name in sources
