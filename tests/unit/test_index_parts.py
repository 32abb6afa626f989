"""Pieces of the index format checked without a model: page starts recovered from the chunks,
chunks read from disk by row, and the top rows of a score array."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from paths import SEEDS
from reportqa.indexing.chunkfile import ChunkFile, ChunkWriter
from reportqa.indexing.manage import page_starts_from_chunks
from reportqa.ingest.parse import ChunkSettings, chunk_report
from reportqa.records import Chunk
from reportqa.search.retrieve import top_rows


def test_page_starts_come_back_from_the_chunks() -> None:
    def chunk(start: int, end: int, page: int | None) -> Chunk:
        return Chunk("r", "", start, end, "x" * (end - start), page=page)

    chunks = [chunk(0, 10, 1), chunk(10, 30, 1), chunk(35, 50, 2), chunk(80, 90, 4)]
    starts = page_starts_from_chunks(chunks)
    assert starts == [0, 35, 80, 80]
    from bisect import bisect_right

    assert [bisect_right(starts, c.start) for c in chunks] == [1, 1, 2, 4]
    assert page_starts_from_chunks([chunk(0, 5, None)]) == []


def test_top_rows_matches_a_stable_sort_of_every_row() -> None:
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 5, 2_000).astype(np.float32)  # many ties
    rows = np.sort(rng.choice(2_000, 700, replace=False))
    for subset in (None, rows):
        ids, values = top_rows(scores, subset, 50)
        pool = np.arange(2_000) if subset is None else subset
        expected = pool[np.argsort(-scores[pool], kind="stable")][:50]
        assert ids.tolist() == expected.tolist()
        assert values.tolist() == scores[expected].tolist()


def test_chunks_are_read_from_disk_by_row(tmp_path: Path) -> None:
    text = (SEEDS / "jinghu-2024-fazhi.txt").read_text(encoding="utf-8")
    chunks = chunk_report("jinghu-2024-fazhi", text, ChunkSettings())
    writer = ChunkWriter(tmp_path)
    for start in range(0, len(chunks), 10):
        writer.append(chunks[start : start + 10])
    writer.close()
    stored = ChunkFile(tmp_path, {"jinghu-2024-fazhi": (0, len(chunks))})
    assert len(stored) == len(chunks)
    assert stored[7] == chunks[7] and stored[-1] == chunks[-1]
    assert list(stored) == chunks
    assert [c for _, c in stored.chunks_of("jinghu-2024-fazhi")] == chunks
    with pytest.raises(IndexError):
        stored[len(chunks)]
    (tmp_path / "chunks.jsonl").write_text('{"report": "x"}\n', encoding="utf-8")
    with pytest.raises(ValueError):
        ChunkFile(tmp_path, {})
