"""Vectors of the reports an unfinished build embedded, so that the next build continues.

Each report's vectors are appended to `.INDEX.resume/ID.KEY.npy` beside the index as they are
embedded; the file takes its final name when the report is complete. KEY covers the report's
bytes, its title and the build settings, so a changed report or setting is embedded again. A
build that completes removes the folder. An interrupted build of thousands of reports then
re-embeds only the report it was in the middle of.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np

from reportqa.indexing.arrays import NpyAppender, read_block
from reportqa.indexing.manifest import BuildSettings


class ResumeStore:
    def __init__(self, index_dir: Path, settings: BuildSettings) -> None:
        index_dir = index_dir.resolve()
        self.folder = index_dir.with_name(f".{index_dir.name}.resume")
        self._settings = json.dumps(settings.to_json(), sort_keys=True)

    def _path(self, report_id: str, sha256: str, title: str) -> Path:
        key = hashlib.sha256(f"{self._settings}\n{sha256}\n{title}".encode()).hexdigest()[:20]
        return self.folder / f"{report_id}.{key}.npy"

    def saved(self, report_id: str, sha256: str, title: str) -> Path | None:
        path = self._path(report_id, sha256, title)
        return path if path.exists() else None

    def read(self, path: Path, dim: int, start: int, count: int) -> np.ndarray:
        return read_block(path, dim, start, count)

    def recorder(self, report_id: str, sha256: str, title: str, dim: int) -> Recorder:
        self.folder.mkdir(exist_ok=True)
        return Recorder(self._path(report_id, sha256, title), dim)

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class Recorder:
    """Appends a report's vectors; `complete()` gives the file its final name."""

    def __init__(self, path: Path, dim: int) -> None:
        self._final = path
        self._partial = path.with_suffix(".partial")
        self._out = NpyAppender(self._partial, np.float32, width=dim)

    def append(self, vectors: np.ndarray) -> None:
        self._out.append(vectors)

    def complete(self) -> None:
        self._out.close()
        self._partial.rename(self._final)
