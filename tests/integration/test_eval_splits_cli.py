"""`reportqa eval --build-from` over two question files (splits): the index is built, reused, and
each split reported."""

import json
from pathlib import Path

from click.testing import CliRunner

from paths import SEED_REPORT
from reportqa.cli.main import main


def test_cli_builds_reuses_and_reports_splits(eval_dir: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    out = tmp_path / "out"
    args = [
        "eval",
        str(eval_dir / "dev.jsonl"),
        str(eval_dir / "test.jsonl"),
        "--index-dir",
        str(index_dir),
        "--build-from",
        str(SEED_REPORT),
        "--out",
        str(out),
        "--no-progress",
    ]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "Indexed 1 reports" in first.output
    assert "Skipped 1 questions about 1 reports not in the index" in first.output
    assert "dev (hybrid, 3 questions): accuracy" in first.output
    assert "test (hybrid, 1 questions): accuracy" in first.output

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["skipped_questions"] == 1
    hybrid = summary["runs"]["hybrid"]
    assert list(hybrid["by_split"]) == ["dev", "test"]
    dev = hybrid["by_split"]["dev"]
    assert (dev["overall"]["answerable"], dev["overall"]["unanswerable"]) == (1, 1)
    assert dev["overall"]["chitchat"] == 1
    assert set(dev["by_type"]) == {"number", "unanswerable", "chitchat"}
    assert set(dev["by_trap"]) == {"year"}
    records = [json.loads(line) for line in (out / "answers.jsonl").read_text().splitlines()]
    assert [(r["split"], r["id"]) for r in records] == [
        ("dev", "d-number"),
        ("dev", "d-year"),
        ("dev", "d-chat"),
        ("test", "t-fact"),
    ]
    chat = records[2]
    assert chat["correct"] == (not chat["citations"])
    report = (out / "report.md").read_text(encoding="utf-8")
    for heading in ("### By split", "#### dev: by type", "#### dev: by trap", "### By trap"):
        assert heading in report

    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert "is up to date (1 reports)" in again.output
