"""Report files read one at a time, when a build asks for them.

`build_index` takes a sequence of reports; handing it this one instead of a list keeps one
report's text in memory at a time, which matters at thousands of reports (200 M characters).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import overload

from reportqa.errors import InputError
from reportqa.ingest.read import SourceReport, read_report


class ReportFiles(Sequence[SourceReport]):
    """Reports read from `paths` when asked for, then `kept` ones already in memory (indexed
    copies of files that cannot be read now)."""

    def __init__(self, paths: Sequence[Path], kept: Sequence[SourceReport] = ()) -> None:
        self.paths = list(paths)
        self.kept = list(kept)

    def __len__(self) -> int:
        return len(self.paths) + len(self.kept)

    def with_kept(self, kept: Sequence[SourceReport]) -> ReportFiles:
        return ReportFiles(self.paths, [*self.kept, *kept])

    def all_paths(self) -> list[Path]:
        return [*self.paths, *(r.path for r in self.kept)]

    @overload
    def __getitem__(self, index: int) -> SourceReport: ...

    @overload
    def __getitem__(self, index: slice) -> list[SourceReport]: ...

    def __getitem__(self, index: int | slice) -> SourceReport | list[SourceReport]:
        if isinstance(index, slice):
            return [self._report(i) for i in range(len(self))[index]]
        return self._report(range(len(self))[index])

    def _report(self, i: int) -> SourceReport:
        return read_report(self.paths[i]) if i < len(self.paths) else self.kept[i - len(self.paths)]


def readable_reports(paths: Sequence[Path]) -> tuple[ReportFiles, list[InputError]]:
    """The files that can be read, as a lazy sequence, and an error naming each other file.
    Each file is read here once to check it, and read again when the build reaches it."""
    good: list[Path] = []
    failures: list[InputError] = []
    for path in paths:
        try:
            read_report(path)
        except InputError as exc:
            failures.append(exc)
        else:
            good.append(path)
    return ReportFiles(good), failures
