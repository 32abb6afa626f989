"""Arrays written a batch at a time and read back memory-mapped.

A build appends rows as it goes, so its memory is one batch, not the corpus; the file is a plain
`.npy` (readable with `np.load(path, mmap_mode="r")`) whose header is filled in when it is closed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

# Room reserved for the .npy header; written last, when the number of rows is known.
_HEADER_BYTES = 128


def _npy_header(dtype: np.dtype[Any], shape: tuple[int, ...]) -> bytes:
    body = repr(
        {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False, "shape": shape}
    )
    prefix = b"\x93NUMPY\x01\x00"
    room = _HEADER_BYTES - len(prefix) - 2
    text = body.ljust(room - 1) + "\n"
    if len(text) != room:
        raise ValueError(f"array header too long: {body}")
    return prefix + room.to_bytes(2, "little") + text.encode("latin1")


class NpyAppender:
    """Rows of a fixed width (or a 1-d array) appended to an `.npy` file."""

    def __init__(self, path: Path, dtype: Any, width: int | None = None) -> None:
        self.path = path
        self.dtype = np.dtype(dtype)
        self.width = width
        self.rows = 0
        self._file = path.open("wb")
        self._file.write(b"\0" * _HEADER_BYTES)

    def append(self, rows: np.ndarray) -> None:
        rows = np.ascontiguousarray(rows, dtype=self.dtype)
        if self.width is not None and (rows.ndim != 2 or rows.shape[1] != self.width):
            rows = rows.reshape(-1, self.width)
        self._file.write(rows.tobytes())
        self.rows += len(rows)

    def close(self) -> None:
        if self._file.closed:
            return
        shape = (self.rows,) if self.width is None else (self.rows, self.width)
        self._file.seek(0)
        self._file.write(_npy_header(self.dtype, shape))
        self._file.close()

    def __enter__(self) -> NpyAppender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_rows(path: Path, dtype: Any, start: int, count: int) -> np.ndarray:
    """Rows [start, start + count) of a 1-d file written by NpyAppender, read (not mapped)."""
    item = np.dtype(dtype).itemsize
    with path.open("rb") as handle:
        handle.seek(_HEADER_BYTES + start * item)
        return np.fromfile(handle, dtype=dtype, count=count)


def read_block(path: Path, width: int, start: int, count: int) -> np.ndarray:
    """Rows [start, start + count) of a float32 matrix of `width` columns, read (not mapped)."""
    with path.open("rb") as handle:
        handle.seek(_HEADER_BYTES + start * width * 4)
        return np.fromfile(handle, dtype=np.float32, count=count * width).reshape(-1, width)


def read_rows_at(path: Path, width: int, rows: np.ndarray) -> np.ndarray:
    """The given rows of a float32 matrix of `width` columns, read one by one (not mapped)."""
    out = np.empty((len(rows), width), dtype=np.float32)
    size = width * 4
    with path.open("rb") as handle:
        for i, row in enumerate(rows):
            handle.seek(_HEADER_BYTES + int(row) * size)
            out[i] = np.frombuffer(handle.read(size), dtype=np.float32)
    return out


def load_mapped(path: Path) -> np.ndarray:
    """An .npy file memory-mapped read-only (an empty array is read normally: mmap cannot map it)."""
    array = np.load(path, mmap_mode="r")
    return np.asarray(array) if array.size == 0 else array
