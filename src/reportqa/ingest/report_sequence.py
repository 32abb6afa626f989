"""Report files read one at a time, when a build asks for them.

`build_index` takes a sequence of reports; handing it this one instead of a list keeps one
report's text in memory at a time, which matters at thousands of reports (200 M characters).
What the check before a build learns of each file (its checksum and detected metadata, a few
hundred bytes) is kept, so deciding whether the index is up to date reads no file again; and the
texts it read are kept for the build up to `KEEP_CHARS` characters in all (a build of up to about
a thousand reports then reads each file once), each dropped when the build takes it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

from reportqa.errors import InputError
from reportqa.ingest.metadata import ReportMeta, detect_meta
from reportqa.ingest.parse import parse_report
from reportqa.ingest.read import SourceReport, read_report

# Characters of report text the check before a build keeps for the build: 16 M characters are
# 32 MB or so (a str of Chinese text takes two bytes a character).
KEEP_CHARS = 16_000_000


def report_meta(report: SourceReport) -> ReportMeta:
    return detect_meta(parse_report(report.text).title, report.id, report.sidecar, report.text)


@dataclass(frozen=True)
class ReportSummary:
    """What decides whether a report's indexed copy is current: its file's checksum and the
    metadata detected from it."""

    id: str
    sha256: str
    meta: ReportMeta

    @classmethod
    def of(cls, report: SourceReport) -> ReportSummary:
        return cls(report.id, report.sha256, report_meta(report))


class ReportFiles(Sequence[SourceReport]):
    """Reports read from `paths` when asked for, then `kept` ones already in memory (indexed
    copies of files that cannot be read now). `known` holds the summaries of files read before,
    `read` some of those files' reports, each given out once instead of reading its file again."""

    def __init__(
        self,
        paths: Sequence[Path],
        kept: Sequence[SourceReport] = (),
        known: Mapping[Path, ReportSummary] | None = None,
        read: dict[Path, SourceReport] | None = None,
    ) -> None:
        self.paths = list(paths)
        self.kept = list(kept)
        self.known = dict(known or {})
        self.read = read if read is not None else {}

    def __len__(self) -> int:
        return len(self.paths) + len(self.kept)

    def with_kept(self, kept: Sequence[SourceReport]) -> ReportFiles:
        return ReportFiles(self.paths, [*self.kept, *kept], self.known, self.read)

    def all_paths(self) -> list[Path]:
        return [*self.paths, *(r.path for r in self.kept)]

    def summaries(self) -> Iterator[ReportSummary]:
        """Each report's summary, reading only the files not read before."""
        for path in self.paths:
            yield self.known.get(path) or ReportSummary.of(read_report(path))
        for report in self.kept:
            yield ReportSummary.of(report)

    @overload
    def __getitem__(self, index: int) -> SourceReport: ...

    @overload
    def __getitem__(self, index: slice) -> list[SourceReport]: ...

    def __getitem__(self, index: int | slice) -> SourceReport | list[SourceReport]:
        if isinstance(index, slice):
            return [self._report(i) for i in range(len(self))[index]]
        return self._report(range(len(self))[index])

    def _report(self, i: int) -> SourceReport:
        if i >= len(self.paths):
            return self.kept[i - len(self.paths)]
        path = self.paths[i]
        return self.read.pop(path, None) or read_report(path)


def report_paths(reports: Sequence[SourceReport]) -> list[Path]:
    """The files of `reports`, without reading any."""
    if isinstance(reports, ReportFiles):
        return reports.all_paths()
    return [r.path for r in reports if hasattr(r, "path")]


def summaries(reports: Sequence[SourceReport]) -> Iterator[ReportSummary]:
    """Each report's summary; a `ReportFiles` reads only the files it has not read yet."""
    if isinstance(reports, ReportFiles):
        return reports.summaries()
    return (ReportSummary.of(r) for r in reports)


def known_meta(reports: Sequence[SourceReport], report: SourceReport) -> ReportMeta | None:
    """The metadata the readability check detected for `report`, when it read the same file
    (same checksum): the build need not detect it again."""
    if isinstance(reports, ReportFiles):
        summary = reports.known.get(report.path)
        if summary is not None and summary.sha256 == report.sha256:
            return summary.meta
    return None


def readable_reports(
    paths: Sequence[Path], keep_chars: int = KEEP_CHARS
) -> tuple[ReportFiles, list[InputError]]:
    """The files that can be read, as a lazy sequence, and an error naming each other file.
    Each file is read here once to check it: its summary is kept, and its text too while the
    texts kept stay under `keep_chars` characters; the others are read again when the build
    reaches them."""
    good: list[Path] = []
    known: dict[Path, ReportSummary] = {}
    read: dict[Path, SourceReport] = {}
    failures: list[InputError] = []
    kept_chars = 0
    for path in paths:
        try:
            report = read_report(path)
        except InputError as exc:
            failures.append(exc)
            continue
        good.append(path)
        known[path] = ReportSummary.of(report)
        if kept_chars + len(report.text) <= keep_chars:
            read[path] = report
            kept_chars += len(report.text)
    return ReportFiles(good, known=known, read=read), failures
