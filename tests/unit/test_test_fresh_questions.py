"""Checks of the held-out question set eval/test_fresh.jsonl against the reports it is about.

test_fresh asks about twelve corpus reports that no other split uses (four provincial 2026
reports, eight city 2024 Word files), so that nothing was ever tuned on them. Every gold span and
every expected string must occur in the report's text exactly as reportqa reads it (for a .docx,
the text its own Word reader produces): a wrong answer in the evaluation is then the answer's
fault, never a typo in the question set.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from paths import EVAL_DIR, ROOT
from question_files import CORPUS_DIR, TRAPS, TYPES, UNANSWERABLE, load
from question_files import corpus_report_path as report_path
from question_files import corpus_report_text as report_text

QUESTIONS_PATH = EVAL_DIR / "test_fresh.jsonl"
OTHER_SPLITS = ("dev", "test", "test_corpus")
REQUIRED = {"id", "question", "answer", "must_contain", "gold_spans", "type", "report"}
OPTIONAL = {"trap", "note"}
# The twelve reports of this split, and only these: no other split asks about them.
PROVINCE_REPORTS = {
    f"2026_{name}_政府工作报告.txt" for name in ("海南省", "湖北省", "甘肃省", "福建省")
}
CITY_REPORTS = {
    f"{name}.docx" for name in ("安顺", "宣城", "岳阳", "巴中", "广元", "广州", "德州", "恩施")
}
FRESH_REPORTS = PROVINCE_REPORTS | CITY_REPORTS


QUESTIONS = load(QUESTIONS_PATH)
ABOUT_REPORTS = [q for q in QUESTIONS if q["type"] != "chitchat"]


def other_split_questions() -> list[dict[str, Any]]:
    paths = [EVAL_DIR / f"{name}.jsonl" for name in OTHER_SPLITS]
    return [q for path in paths if path.is_file() for q in load(path)]


@pytest.mark.parametrize("q", QUESTIONS, ids=lambda q: str(q.get("id")))
def test_schema(q: dict[str, Any]) -> None:
    assert REQUIRED <= set(q) <= REQUIRED | OPTIONAL
    assert q["id"].startswith("tf-")
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
    assert q["report"] in FRESH_REPORTS
    assert report_path(q["report"]).is_file(), q["report"]
    if q["type"] == "unanswerable":
        assert q["answer"] == UNANSWERABLE
        assert q["must_contain"] == [] and q["gold_spans"] == []
        assert "trap" in q, "an unanswerable question says which trap it sets"
        assert q.get("note"), "an unanswerable question says why the report cannot answer it"
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
        # The expected string is the evidence's own wording, not a figure computed elsewhere.
        assert any(needle in span for span in q["gold_spans"]), needle


def test_unique_ids_and_questions() -> None:
    for key in ("id", "question"):
        repeated = [v for v, n in Counter(q[key] for q in QUESTIONS).items() if n > 1]
        assert not repeated, key


def test_no_report_or_question_shared_with_another_split() -> None:
    others = other_split_questions()
    assert not {q["report"] for q in others} & FRESH_REPORTS
    assert not {q["question"] for q in others} & {q["question"] for q in QUESTIONS}
    assert not {q["id"] for q in others} & {q["id"] for q in QUESTIONS}


def test_coverage() -> None:
    """All twelve reports, a demanding user's mix of types, every trap, some chit-chat."""
    per_report = Counter(q["report"] for q in ABOUT_REPORTS)
    assert set(per_report) == FRESH_REPORTS
    assert min(per_report.values()) >= 8
    assert len(QUESTIONS) >= 80
    assert {q["type"] for q in QUESTIONS} == TYPES
    assert {q.get("trap") for q in QUESTIONS} - {None} == TRAPS
    assert sum(q["type"] == "chitchat" for q in QUESTIONS) >= 8
    share = Counter(q["type"] for q in ABOUT_REPORTS)
    assert 0.35 <= share["number"] / len(ABOUT_REPORTS) <= 0.55
    assert 0.2 <= share["unanswerable"] / len(ABOUT_REPORTS) <= 0.3


def test_report_copies_have_provenance() -> None:
    sources = (CORPUS_DIR / "SOURCES.md").read_text(encoding="utf-8")
    for name in FRESH_REPORTS:
        assert report_path(name).parent.name in sources


def test_reportqa_eval_scores_the_split_by_default_and_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from reportqa.cli.eval_cmd import eval_command, question_files

    monkeypatch.chdir(ROOT)  # reportqa eval finds the splits in ./eval, as `make eval` runs it
    # `make eval` runs `reportqa eval` without a split: every split present is scored.
    assert QUESTIONS_PATH.relative_to(ROOT) in question_files((), ())
    assert question_files((), ("test_fresh",)) == [QUESTIONS_PATH.relative_to(ROOT)]
    # The option accepts the name; the run then stops at the missing index, not at the option.
    missing = tmp_path / "no-index"
    result = CliRunner().invoke(
        eval_command, ["--split", "test_fresh", "--index-dir", str(missing), "--no-progress"]
    )
    assert result.exit_code == 1, result.output
    assert "Invalid value" not in result.output
