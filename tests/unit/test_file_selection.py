"""Which files of a folder are reports: a provenance note or a README beside the reports is left
out with a message, decided by what the file holds (not by its name); a file named by itself is
still indexed, with a note."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from paths import EVAL_DIR, SEEDS
from reportqa.cli.main import main
from reportqa.ingest.read import not_a_report, select_report_files

# The evaluation folder's provenance note: Markdown, a table of repositories, a few Chinese words.
SOURCES_NOTE = EVAL_DIR / "reports" / "SOURCES.md"
SEED = SEEDS / "jinghu-2024-fazhi.txt"
README = (
    "# Reports\n\nThese files were downloaded from the city's website on 2024-03-01.\n"
    "| file | source |\n| --- | --- |\n| jinghu.txt | https://example.org/jinghu |\n"
)


@pytest.mark.parametrize("path", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.stem)
def test_every_shipped_report_is_a_report(path: Path) -> None:
    assert not_a_report(path.read_text(encoding="utf-8")) is None


@pytest.mark.parametrize(
    ("text", "is_report"),
    [
        (SOURCES_NOTE.read_text(encoding="utf-8"), False),
        (README, False),
        # Too little to judge: left to the reader (an empty file is refused there).
        ("mine", True),
        ("", True),
        # A short Chinese report with a few Latin letters (GDP, PM2.5) is a report.
        ("一、总体情况\n全年GDP增长5%，PM2.5浓度下降，受理申请120件。\n" * 3, True),
        # Named by name and renamed: what a file holds decides, not what it is called.
        (SEED.read_text(encoding="utf-8"), True),
    ],
)
def test_a_report_is_chinese_prose(text: str, is_report: bool) -> None:
    assert (not_a_report(text) is None) == is_report


def folder_of_reports_and_notes(root: Path) -> Path:
    folder = root / "reports"
    folder.mkdir()
    shutil.copy(SEED, folder / "jinghu.txt")
    shutil.copy(SOURCES_NOTE, folder / "SOURCES.md")
    (folder / "说明.txt").write_text(README, encoding="utf-8")
    return folder


def test_notes_in_a_folder_are_left_out_with_a_message(tmp_path: Path) -> None:
    folder = folder_of_reports_and_notes(tmp_path)
    files, notes = select_report_files([folder])
    assert files == [folder / "jinghu.txt"]
    assert len(notes) == 2
    assert all(n.startswith("Left out") and "not a report" in n for n in notes)
    assert any("SOURCES.md" in n for n in notes) and any("说明.txt" in n for n in notes)


def test_a_note_named_by_itself_is_indexed_with_a_note(tmp_path: Path) -> None:
    folder = folder_of_reports_and_notes(tmp_path)
    files, notes = select_report_files([folder / "SOURCES.md", folder / "jinghu.txt"])
    assert files == [folder / "SOURCES.md", folder / "jinghu.txt"]
    assert len(notes) == 1 and "does not look like a report" in notes[0]


def test_index_of_a_folder_of_notes_only_says_why_nothing_is_indexed(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    shutil.copy(SOURCES_NOTE, folder / "SOURCES.md")
    result = CliRunner().invoke(main, ["index", str(folder), "--index-dir", str(tmp_path / "i")])
    assert result.exit_code == 2, result.output
    assert "Left out" in result.stderr and "SOURCES.md" in result.stderr
    assert "reports found in" in result.stderr
    assert not (tmp_path / "i").exists()
