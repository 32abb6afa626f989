"""Index arrays read by row with pread (not mapped) give the same values as the memory map."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from reportqa.indexing.arrays import NpyAppender, load_mapped
from reportqa.search.mapped_files import advise_random, file_reader
from reportqa.search.vector_rows import VectorRows


def _append(path: Path, matrix: np.ndarray) -> None:
    with NpyAppender(path, np.float32, width=matrix.shape[1]) as out:
        out.append(matrix[:100])
        out.append(matrix[100:])


def test_vector_rows_are_the_mapped_rows(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    matrix = rng.random((300, 8), dtype=np.float32)
    np.save(tmp_path / "saved.npy", matrix)  # numpy's own header
    _append(tmp_path / "appended.npy", matrix)  # the build's fixed header
    for name in ("saved.npy", "appended.npy"):
        mapped = load_mapped(tmp_path / name)
        reader = VectorRows(tmp_path / name, 8, int(mapped.offset))
        for rows in ([0], [299], [3, 4, 5, 9, 10, 200], list(range(300)), []):
            ids = np.asarray(rows, dtype=np.int64)
            assert np.array_equal(reader.take(ids), matrix[ids])


def test_file_reader_reads_a_mapped_slice(tmp_path: Path) -> None:
    values = np.arange(1_000, dtype=np.float32) / 7
    np.save(tmp_path / "v.npy", values)
    mapped = load_mapped(tmp_path / "v.npy")
    advise_random(mapped)  # only advice: the values read stay the same
    read = file_reader(mapped)
    assert read is not None
    assert np.array_equal(read(10, 500), values[10:500])
    assert np.array_equal(read(999, 1_000), values[999:])
    assert file_reader(values) is None  # in memory: nothing to read from
