"""Rows of the vector file read with pread, not through a memory map.

A page fault on a mapped file reads around the page (128 KB by default) and leaves every page it
touched counted in the server's resident memory; the dense leg's exact re-scoring reads 100
scattered rows a question, so over a few hundred questions most of a 2.6 GB vector file became
resident. Rows read with pread cost one 2 KB read each, and the pages stay in the kernel's page
cache, shared and dropped under pressure, not in the process.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np


class VectorRows:
    """Float32 rows of an `.npy` matrix (`offset`: where its data begins), read by row id."""

    def __init__(self, path: Path, dim: int, offset: int) -> None:
        self.dim = dim
        self._row_bytes = dim * 4
        self._offset = offset
        # Kept open for the life of the index; pread has no file position, so threads share it.
        self._file = path.open("rb")

    def take(self, rows: np.ndarray) -> np.ndarray:
        """The given rows (ascending row ids), one read per run of consecutive rows."""
        out = np.empty((len(rows), self.dim), dtype=np.float32)
        if not len(rows):
            return out
        breaks = np.flatnonzero(np.diff(rows) != 1) + 1
        firsts = np.r_[0, breaks]
        lasts = np.r_[breaks, len(rows)]
        fd = self._file.fileno()
        for first, last in zip(firsts.tolist(), lasts.tolist(), strict=True):
            target = out[first:last].data.cast("B")
            position = self._offset + int(rows[first]) * self._row_bytes
            done = os.preadv(fd, [target], position)
            if done != len(target):
                raise OSError(f"short read of vector rows at {position}")
        return out
