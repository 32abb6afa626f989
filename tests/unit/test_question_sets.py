"""Sanity checks for the evaluation question sets: eval/dev.jsonl (tuned on) and eval/test.jsonl
(held out), and how they split the reports.

Every gold span and expected string must occur in its report's text as reportqa reads it (for a
.docx, the text of the project's own Word reader), so a question cannot silently ask for something
the report does not say.
"""

from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from paths import EVAL_DIR, SEEDS
from question_files import CORPUS_DIR, DEV_CORPUS, TRAPS, TYPES, UNANSWERABLE, load
from reportqa.ingest.read import read_report

SPLIT_FILES = {"dev": EVAL_DIR / "dev.jsonl", "test": EVAL_DIR / "test.jsonl"}
HELD_OUT_CORPUS = EVAL_DIR / "test_corpus.jsonl"  # written separately; checked here if present
SEED_REPORT = "jinghu-2024-fazhi.txt"
REQUIRED = {
    "id": str,
    "question": str,
    "answer": str,
    "must_contain": list,
    "gold_spans": list,
    "type": str,
}
OPTIONAL = {"trap": str, "note": str}
# The reports each split may ask about (eval_layout: split by report, never one report in two).
DEV_SEEDS = {"jinghu-2024-fazhi.txt", "anhui-2026-zfgzbg.txt", "huaian-2024-xxgk-nianbao.txt"}
TEST_SEEDS = {
    "xiamen-2024-zfgzbg.txt",
    "shenzhen-guangming-2021-fazhi.txt",
    "shenzhen-longhua-2019-fazhi.txt",
}


SPLITS = {name: load(path) for name, path in SPLIT_FILES.items()}
QUESTIONS = [q for questions in SPLITS.values() for q in questions]


@cache
def report_path(name: str) -> Path:
    """A question's report by its file name: a seed report or a corpus copy in eval/reports/."""
    found = [SEEDS / name] if (SEEDS / name).is_file() else []
    found += [p for p in CORPUS_DIR.glob(f"*/{name}") if p.is_file()]
    assert len(found) == 1, f"{name}: {found or 'not found'}"
    return found[0]


@cache
def report_text(name: str) -> str:
    return read_report(report_path(name)).text


def _id(q: dict[str, Any]) -> str:
    return str(q.get("id"))


@pytest.mark.parametrize("q", QUESTIONS, ids=_id)
def test_schema(q: dict[str, Any]) -> None:
    assert set(REQUIRED) | {"report"} <= set(q) <= set(REQUIRED) | {"report"} | set(OPTIONAL)
    for key, typ in (REQUIRED | OPTIONAL).items():
        if key in q:
            assert isinstance(q[key], typ), key
    assert all(isinstance(s, str) and s for s in q["must_contain"] + q["gold_spans"])
    assert q["type"] in TYPES
    assert q["question"].strip() and q["answer"].strip()
    if q["type"] == "chitchat":
        assert q["report"] is None  # about no report
    else:
        assert isinstance(q["report"], str) and report_path(q["report"]).is_file()
    if "trap" in q:
        assert q["trap"] in TRAPS and q["type"] == "unanswerable"


@pytest.mark.parametrize("q", [q for q in QUESTIONS if q["report"]], ids=_id)
def test_strings_occur_in_report(q: dict[str, Any]) -> None:
    text = report_text(q["report"])
    for span in q["gold_spans"]:
        assert 15 <= len(span) <= 80, span
        assert span in text, span
    for needle in q["must_contain"]:
        assert needle in text, needle


@pytest.mark.parametrize("q", QUESTIONS, ids=_id)
def test_unanswerable_consistency(q: dict[str, Any]) -> None:
    is_unanswerable = q["type"] == "unanswerable"
    assert is_unanswerable == (q["answer"] == UNANSWERABLE)
    if is_unanswerable or q["type"] == "chitchat":
        assert q["must_contain"] == [] and q["gold_spans"] == []
    else:
        assert 1 <= len(q["must_contain"]) <= 3
        assert 1 <= len(q["gold_spans"]) <= 2


def test_unique_ids() -> None:
    duplicates = [i for i, n in Counter(q["id"] for q in QUESTIONS).items() if n > 1]
    assert not duplicates


def test_splits_are_by_report() -> None:
    dev = {q["report"] for q in SPLITS["dev"] if q["report"]}
    test = {q["report"] for q in SPLITS["test"] if q["report"]}
    assert dev == DEV_SEEDS | DEV_CORPUS
    assert test == TEST_SEEDS
    if HELD_OUT_CORPUS.is_file():  # the held-out corpus questions never use a dev report
        held_out = {q.get("report") for q in load(HELD_OUT_CORPUS)} - {None}
        assert not held_out & (dev | test)


def test_quotas() -> None:
    per_report = Counter(q["report"] for q in QUESTIONS)
    assert per_report[SEED_REPORT] >= 80
    for report in sorted(p.name for p in SEEDS.glob("*.txt")):
        assert per_report[report] >= 8, report
    for report in sorted(DEV_CORPUS):
        assert per_report[report] >= 4, report
    assert sum(per_report[r] for r in DEV_CORPUS) >= 35
    dev_types = Counter(q["type"] for q in SPLITS["dev"])
    assert dev_types["chitchat"] >= 8
    traps = Counter(q.get("trap") for q in SPLITS["dev"] if q["report"] in DEV_CORPUS)
    for trap in ("year", "place", "subject", "plan_vs_result"):
        assert traps[trap] >= 2, trap
    unanswerable = sum(q["type"] == "unanswerable" for q in QUESTIONS)
    assert unanswerable / len(QUESTIONS) >= 0.15


def test_corpus_copies_are_complete() -> None:
    """eval/reports holds the whole corpus: 30 provincial reports and 71 city reports."""
    assert len(list((CORPUS_DIR / "provinces-2026").glob("*.txt"))) == 30
    assert len(list((CORPUS_DIR / "cities-docx").glob("*.docx"))) == 71
    assert (CORPUS_DIR / "SOURCES.md").is_file()
