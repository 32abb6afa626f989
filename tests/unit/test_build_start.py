"""When a build starts its embedding processes: at once when it has many reports to embed, else
after some passages, so a build that embeds little does not pay for loading the model twice."""

from __future__ import annotations

from pathlib import Path

from reportqa.indexing.build import (
    START_AFTER_PASSAGES,
    START_AT_ONCE_REPORTS,
    _Previous,
    _start_workers_after,
)
from reportqa.indexing.manifest import ReportEntry
from reportqa.ingest.metadata import ReportMeta
from reportqa.ingest.read import SourceReport
from reportqa.ingest.report_sequence import ReportFiles, ReportSummary


def _report(k: int) -> SourceReport:
    return SourceReport(f"r{k}", Path(f"r{k}.txt"), "正文。", f"sha{k}")


def _entry(k: int) -> ReportEntry:
    meta = ReportMeta(title=f"r{k}")
    return ReportEntry.of(
        meta,
        file=f"r{k}.txt",
        path=f"/r{k}.txt",
        sha256=f"sha{k}",
        chars=3,
        text_bytes=9,
        rows=(k, k + 1),
    )


def test_a_build_of_many_new_reports_starts_its_processes_at_once(tmp_path: Path) -> None:
    nothing = _Previous({}, tmp_path)
    many = [_report(k) for k in range(START_AT_ONCE_REPORTS)]
    assert _start_workers_after(many, nothing) == 0
    assert _start_workers_after(many[:-1], nothing) == START_AFTER_PASSAGES


def test_reports_kept_from_the_previous_index_do_not_count(tmp_path: Path) -> None:
    n = START_AT_ONCE_REPORTS + 2
    paths = [Path(f"r{k}.txt") for k in range(n)]
    known = {
        p: ReportSummary(f"r{k}", f"sha{k}", ReportMeta(title=f"r{k}")) for k, p in enumerate(paths)
    }
    reports = ReportFiles(paths, known=known)
    # every report indexed before, unchanged: nothing to embed
    previous = _Previous({f"r{k}": _entry(k) for k in range(n)}, tmp_path, chunks=object())  # type: ignore[arg-type]
    assert _start_workers_after(reports, previous) == START_AFTER_PASSAGES
    # all but two changed: many to embed
    changed = {p: ReportSummary(s.id, s.sha256 + "x", s.meta) for p, s in known.items()}
    changed[paths[0]] = known[paths[0]]
    changed[paths[1]] = known[paths[1]]
    assert _start_workers_after(ReportFiles(paths, known=changed), previous) == 0
    # without the summaries, finding out would read every file: the processes start later
    assert _start_workers_after(ReportFiles(paths), previous) == START_AFTER_PASSAGES
