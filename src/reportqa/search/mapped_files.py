"""How the server reads its memory-mapped index arrays without making them resident.

A page fault on a mapped file reads ahead around it (128 KB by default) and every page touched
stays counted in the process's resident memory until the process ends: over a few hundred
questions most of the BM25 arrays (2.5 GB at 10,000 reports) became resident. Postings are read a
few scattered pages at a time (binary searches, the kept rows of a filter), so read-ahead only
fills memory: `advise_random` turns it off; `release` unmaps what a search touched once it is
done. Whole lists read once (a term's largest score) are read with pread (`file_reader`): their
pages stay in the kernel's page cache, not in the process.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Callable

import numpy as np


def advise_random(array: np.ndarray) -> None:
    """Tell the kernel this memory-mapped array is read at random (no read-ahead)."""
    mapped = getattr(array, "_mmap", None)
    if isinstance(mapped, mmap.mmap) and hasattr(mmap, "MADV_RANDOM"):
        mapped.madvise(mmap.MADV_RANDOM)


def release(array: np.ndarray) -> None:
    """Unmap the pages of this memory-mapped array that the process has touched: they leave its
    resident memory and stay in the kernel's page cache, so the next read maps them again
    without reading the disk. (Safe with other threads reading: the mapping is read-only, so a
    dropped page is faulted in again from the cache.)"""
    mapped = getattr(array, "_mmap", None)
    if isinstance(mapped, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        mapped.madvise(mmap.MADV_DONTNEED)


def file_reader(array: np.ndarray) -> Callable[[int, int], np.ndarray] | None:
    """For a 1-d memory-mapped array, a function reading items [start, end) with pread (None
    for an array in memory)."""
    name = getattr(array, "filename", None)
    if not isinstance(array, np.memmap) or name is None or array.ndim != 1:
        return None
    handle = open(name, "rb")  # noqa: SIM115 - open for the life of the index
    dtype = array.dtype
    base = int(array.offset)

    def read(start: int, end: int) -> np.ndarray:
        out = np.empty(end - start, dtype=dtype)
        target = out.data.cast("B")
        done = os.preadv(handle.fileno(), [target], base + start * dtype.itemsize)
        if done != len(target):
            raise OSError(f"short read of {name} at item {start}")
        return out

    return read
