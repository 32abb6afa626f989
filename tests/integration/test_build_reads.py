"""How often a build reads each report file: reading (parsing a .docx or .pdf) costs about a
tenth of a second a report, so a build must not read a file more than it needs to."""

from __future__ import annotations

import gc
import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from paths import SEEDS
from reportqa.indexing.build import build_index
from reportqa.indexing.store import read_manifest
from reportqa.ingest import report_sequence
from reportqa.ingest.parse import ChunkSettings
from reportqa.ingest.read import SourceReport, read_report
from reportqa.ingest.report_sequence import ReportFiles, TextSpool, readable_reports

NAMES = ["jinghu-2024-fazhi", "shenzhen-longhua-2019-fazhi"]


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Counts the reads of each report file, by file name."""
    counts: Counter[str] = Counter()
    real = report_sequence.read_report

    def counting(path: Path):  # type: ignore[no-untyped-def]
        counts[path.name] += 1
        return real(path)

    monkeypatch.setattr(report_sequence, "read_report", counting)
    return counts


def _folder(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in NAMES:
        shutil.copy(SEEDS / f"{name}.txt", folder / f"{name}.txt")
    return sorted(folder.glob("*.txt"))


def test_a_build_reads_each_file_once(tmp_path: Path, embedder, reads) -> None:  # type: ignore[no-untyped-def]
    paths = _folder(tmp_path)
    result = build_index(ReportFiles(paths), tmp_path / "index", embedder, ChunkSettings())
    assert result.changed and result.reports == 2
    assert reads == {p.name: 1 for p in paths}


def test_the_check_before_a_build_is_the_only_read(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
    reads,  # type: ignore[no-untyped-def]
) -> None:
    paths = _folder(tmp_path)
    index_dir = tmp_path / "index"
    reports, failures = readable_reports(paths)  # as `reportqa index` does
    assert not failures
    build_index(reports, index_dir, embedder, ChunkSettings())
    assert reads == {p.name: 1 for p in paths}  # the build took the texts the check read
    reads.clear()
    reports, _ = readable_reports(paths)
    assert not build_index(reports, index_dir, embedder, ChunkSettings()).changed
    assert reads == {p.name: 1 for p in paths}  # and the up-to-date check read none again
    # A sidecar edited since still makes the index out of date, with the kept summaries.
    sidecar = paths[0].with_name(paths[0].stem + ".meta.json")
    sidecar.write_text(json.dumps({"places": ["芜湖市"]}), encoding="utf-8")
    reports, _ = readable_reports(paths)
    assert build_index(reports, index_dir, embedder, ChunkSettings()).changed
    assert read_manifest(index_dir).reports[NAMES[0]].places == ("芜湖市",)  # type: ignore[union-attr]


def test_texts_beyond_the_budget_wait_on_disk_and_are_not_read_again(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
    reads,  # type: ignore[no-untyped-def]
) -> None:
    paths = _folder(tmp_path)
    second = read_report(paths[1]).text
    first = len(read_report(paths[0]).text)
    index_dir = tmp_path / "index"
    # room in memory for the first text only: the second waits in a folder beside the index
    reports, _ = readable_reports(paths, keep_chars=first, beside=index_dir)
    [spool] = tmp_path.glob(".index.building-*-texts-*")
    assert len(list(spool.iterdir())) == 1
    build_index(reports, index_dir, embedder, ChunkSettings())
    assert reads == {p.name: 1 for p in paths}
    assert not any(spool.iterdir())  # taken by the build, then deleted
    assert (index_dir / "reports" / f"{NAMES[1]}.txt").read_text(encoding="utf-8") == second
    del reports
    gc.collect()
    assert not spool.exists()


def test_a_spooled_text_comes_back_as_it_was(tmp_path: Path) -> None:
    text = "一、总体情况\r\n2024年，全区\u3000收到申请120件。\r正文\n"
    report = SourceReport("r", tmp_path / "r.txt", text, "sha", {"places": ["芜湖市"]}, [0, 9])
    spool = TextSpool()  # a temporary folder when no index is named
    spool.put(report)
    assert spool.take(report.path) == report
    assert spool.take(report.path) is None  # given once
