"""Report files read one at a time, when a build asks for them.

`build_index` takes a sequence of reports; handing it this one instead of a list keeps one
report's text in memory at a time, which matters at thousands of reports (200 M characters).
What the check before a build learns of each file (its checksum and detected metadata, a few
hundred bytes) is kept, so deciding whether the index is up to date reads no file again; and the
texts it read are kept for the build, in memory up to `KEEP_CHARS` characters in all, the others
written to a spool folder on disk, each dropped when the build takes it: a build reads each
report file once however large it is (reading a .docx or .pdf costs far more than reading its
text back).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
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


class TextSpool:
    """Report texts kept on disk for the build, each given back once (then deleted). The folder
    is `.INDEX.building-PID-texts-…` beside the index when `beside` names it (the next build
    removes it if this process is killed, as it does a killed build's folder), else a temporary
    folder; it is removed when this object goes."""

    def __init__(self, beside: Path | None = None) -> None:
        self._beside = beside.resolve() if beside is not None else None  # "." has no name
        self._folder: Path | None = None
        self._reports: dict[Path, tuple[Path, SourceReport]] = {}

    def _make_folder(self) -> Path:
        if self._folder is None:
            if self._beside is None:
                folder = tempfile.mkdtemp(prefix="reportqa-texts-")
            else:
                self._beside.parent.mkdir(parents=True, exist_ok=True)
                folder = tempfile.mkdtemp(
                    prefix=f".{self._beside.name}.building-{os.getpid()}-texts-",
                    dir=self._beside.parent,
                )
            self._folder = Path(folder)
            weakref.finalize(self, shutil.rmtree, folder, ignore_errors=True)
        return self._folder

    def put(self, report: SourceReport) -> None:
        file = self._make_folder() / f"{len(self._reports)}.txt"
        file.write_text(report.text, encoding="utf-8", newline="")
        self._reports[report.path] = (file, replace(report, text=""))

    def take(self, path: Path) -> SourceReport | None:
        kept = self._reports.pop(path, None)
        if kept is None:
            return None
        file, report = kept
        with file.open(encoding="utf-8", newline="") as handle:  # the text as it was, \r and all
            text = handle.read()
        file.unlink()
        return replace(report, text=text)

    def __len__(self) -> int:
        return len(self._reports)


class ReportFiles(Sequence[SourceReport]):
    """Reports read from `paths` when asked for, then `kept` ones already in memory (indexed
    copies of files that cannot be read now). `known` holds the summaries of files read before,
    `read` some of those files' reports and `spool` others' on disk, each given out once
    instead of reading its file again."""

    def __init__(
        self,
        paths: Sequence[Path],
        kept: Sequence[SourceReport] = (),
        known: Mapping[Path, ReportSummary] | None = None,
        read: dict[Path, SourceReport] | None = None,
        spool: TextSpool | None = None,
    ) -> None:
        self.paths = list(paths)
        self.kept = list(kept)
        self.known = dict(known or {})
        self.read = read if read is not None else {}
        self.spool = spool

    def __len__(self) -> int:
        return len(self.paths) + len(self.kept)

    def with_kept(self, kept: Sequence[SourceReport]) -> ReportFiles:
        return ReportFiles(self.paths, [*self.kept, *kept], self.known, self.read, self.spool)

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
        spooled = self.spool.take(path) if self.spool is not None else None
        return self.read.pop(path, None) or spooled or read_report(path)


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
    paths: Sequence[Path], keep_chars: int = KEEP_CHARS, beside: Path | None = None
) -> tuple[ReportFiles, list[InputError]]:
    """The files that can be read, as a lazy sequence, and an error naming each other file.
    Each file is read here once to check it: its summary is kept, and its text too, in memory
    while the texts kept there stay under `keep_chars` characters, else on disk (see
    `TextSpool`; `beside`: the index the build writes)."""
    good: list[Path] = []
    known: dict[Path, ReportSummary] = {}
    read: dict[Path, SourceReport] = {}
    spool = TextSpool(beside)
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
        else:
            spool.put(report)
    return ReportFiles(good, known=known, read=read, spool=spool), failures
