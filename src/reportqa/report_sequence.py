"""Report files read one at a time, when a build asks for them.

`build_index` takes a sequence of reports; handing it this one instead of a list keeps one
report's text in memory at a time, which matters at thousands of reports (200 M characters).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import overload

from .ingest import SourceReport, read_report


class ReportFiles(Sequence[SourceReport]):
    def __init__(self, paths: Sequence[Path]) -> None:
        self.paths = list(paths)

    def __len__(self) -> int:
        return len(self.paths)

    @overload
    def __getitem__(self, index: int) -> SourceReport: ...

    @overload
    def __getitem__(self, index: slice) -> list[SourceReport]: ...

    def __getitem__(self, index: int | slice) -> SourceReport | list[SourceReport]:
        if isinstance(index, slice):
            return [read_report(p) for p in self.paths[index]]
        return read_report(self.paths[index])
