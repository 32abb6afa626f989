"""Sanity checks for the evaluation question set in eval/questions.jsonl."""

import json
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS_PATH = ROOT / "eval" / "questions.jsonl"
SEEDS_DIR = ROOT / "seeds"
SEED_REPORT = "jinghu-2024-fazhi.txt"
UNANSWERABLE = "文中未提及"
TYPES = {"number", "fact", "paraphrase", "list", "multi_hop", "unanswerable"}
KEYS = {
    "id": str,
    "question": str,
    "answer": str,
    "must_contain": list,
    "gold_spans": list,
    "type": str,
    "report": str,
}


def load_questions() -> list[dict[str, Any]]:
    with QUESTIONS_PATH.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


QUESTIONS = load_questions()


@cache
def report_text(name: str) -> str:
    return (SEEDS_DIR / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: str(q.get("id")))
def test_schema(q: dict[str, Any]) -> None:
    assert set(q) == set(KEYS)
    for key, typ in KEYS.items():
        assert isinstance(q[key], typ), key
    assert all(isinstance(s, str) and s for s in q["must_contain"] + q["gold_spans"])
    assert q["type"] in TYPES
    assert q["question"].strip() and q["answer"].strip()
    assert (SEEDS_DIR / q["report"]).is_file()


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: str(q.get("id")))
def test_strings_occur_in_report(q: dict[str, Any]) -> None:
    text = report_text(q["report"])
    for span in q["gold_spans"]:
        assert 15 <= len(span) <= 80, span
        assert span in text, span
    for needle in q["must_contain"]:
        assert needle in text, needle


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: str(q.get("id")))
def test_unanswerable_consistency(q: dict[str, Any]) -> None:
    is_unanswerable = q["type"] == "unanswerable"
    assert is_unanswerable == (q["answer"] == UNANSWERABLE)
    assert is_unanswerable == (q["must_contain"] == [])
    if is_unanswerable:
        assert q["gold_spans"] == []
    else:
        assert 1 <= len(q["must_contain"]) <= 3
        assert 1 <= len(q["gold_spans"]) <= 2


def test_unique_ids() -> None:
    duplicates = [i for i, n in Counter(q["id"] for q in QUESTIONS).items() if n > 1]
    assert not duplicates


def test_quotas() -> None:
    per_report = Counter(q["report"] for q in QUESTIONS)
    assert len(QUESTIONS) >= 120
    assert per_report[SEED_REPORT] >= 80
    for report in sorted(p.name for p in SEEDS_DIR.glob("*.txt")):
        assert per_report[report] >= 8, report
    unanswerable = sum(q["type"] == "unanswerable" for q in QUESTIONS)
    assert unanswerable / len(QUESTIONS) >= 0.15
