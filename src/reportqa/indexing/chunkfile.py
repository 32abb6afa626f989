"""Chunks and report texts on disk, read on demand.

`chunks.jsonl` holds one chunk per line in the order of the vector rows; `chunk_offsets.npy` the
byte offset of each line (and the file's end), so chunk `i` is read without reading the others.
An index of millions of chunks is then served without holding their texts in memory: a question
reads the few chunks it cites. Each report's chunks are consecutive rows.
"""

from __future__ import annotations

import json
import mmap
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, overload

import numpy as np

from reportqa.indexing.arrays import NpyAppender, load_mapped
from reportqa.records import Chunk

CHUNKS = "chunks.jsonl"
OFFSETS = "chunk_offsets.npy"


class ChunkWriter:
    """Appends chunks to `chunks.jsonl` and their offsets, a batch at a time."""

    def __init__(self, folder: Path) -> None:
        self._file = (folder / CHUNKS).open("wb")
        self._offsets = NpyAppender(folder / OFFSETS, np.uint64)
        self._offsets.append(np.zeros(1, dtype=np.uint64))
        self._position = 0
        self.count = 0

    def append(self, chunks: Sequence[Chunk]) -> None:
        # A chunk's fields in their order, as `to_dict` gives them, without its deep copy.
        lines = [(json.dumps(vars(c), ensure_ascii=False) + "\n").encode("utf-8") for c in chunks]
        ends = self._position + np.cumsum([len(line) for line in lines], dtype=np.uint64)
        self._file.write(b"".join(lines))
        self._offsets.append(ends)
        if len(lines):
            self._position = int(ends[-1])
        self.count += len(lines)

    def close(self) -> None:
        self._file.close()
        self._offsets.close()


class ChunkFile(Sequence[Chunk]):
    """The chunks of an index, read from disk when asked for."""

    def __init__(self, folder: Path, report_rows: Mapping[str, tuple[int, int]]) -> None:
        self._path = folder / CHUNKS
        self._offsets = load_mapped(folder / OFFSETS)
        size = self._path.stat().st_size
        if len(self._offsets) < 1 or int(self._offsets[-1]) != size:
            raise ValueError(f"{OFFSETS} does not match {CHUNKS} ({size} bytes)")
        self._map = _map_file(self._path) if size else b""
        self.report_rows = dict(report_rows)

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, index: int) -> Chunk: ...

    @overload
    def __getitem__(self, index: slice) -> list[Chunk]: ...

    def __getitem__(self, index: int | slice) -> Chunk | list[Chunk]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        start, end = int(self._offsets[index]), int(self._offsets[index + 1])
        return Chunk.from_dict(json.loads(self._map[start:end]))

    def __iter__(self) -> Iterator[Chunk]:
        # From the mapping made when the index was opened, not the path: a served index's folder
        # is deleted when a rebuild replaces it, while requests may still read the old one.
        for row in range(len(self)):
            yield self[row]

    def rows_of(self, report: str) -> range:
        start, end = self.report_rows.get(report, (0, 0))
        return range(start, end)

    def chunks_of(self, report: str) -> Iterator[tuple[int, Chunk]]:
        for row in self.rows_of(report):
            yield row, self[row]


def _map_file(path: Path) -> Any:
    with path.open("rb") as handle:
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


class ReportTexts(Mapping[str, str]):
    """Report texts of `reports/ID.txt`, decoded when asked for; the last few are kept.

    Every file is mapped when the index is opened (a mapping costs no memory until read): a served
    index's folder is deleted when a rebuild replaces it, and requests still running on the old
    index must still read its texts.
    """

    def __init__(self, folder: Path, report_ids: Sequence[str], keep: int = 32) -> None:
        self._folder = folder
        self._maps: dict[str, Any] = {
            rid: _map_file(path) if (path := folder / f"{rid}.txt").stat().st_size else b""
            for rid in report_ids
        }
        self._ids = list(report_ids)
        self._known = set(report_ids)
        self._cache: OrderedDict[str, str] = OrderedDict()
        self._keep = keep
        self._lock = threading.Lock()  # the web server asks from several threads

    def __getitem__(self, report: str) -> str:
        if report not in self._known:
            raise KeyError(report)
        with self._lock:
            text = self._cache.get(report)
            if text is not None:
                self._cache.move_to_end(report)
                return text
        text = bytes(self._maps[report]).decode("utf-8")
        with self._lock:
            self._cache[report] = text
            if len(self._cache) > self._keep:
                self._cache.popitem(last=False)
        return text

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, report: object) -> bool:
        return report in self._known
