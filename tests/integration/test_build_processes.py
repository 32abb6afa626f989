"""Embedding processes started before a build (while its files are checked) embed from its first
batch, give the vectors this process would, and end with the build, even one that finds the
index up to date; a batch is sent to them in pieces and comes back whole and in order."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import numpy as np

from paths import SEEDS
from reportqa.indexing.build import build_index, embeds_every_file
from reportqa.indexing.parallel_embed import PIECE_PASSAGES, BatchEmbedder, start_processes
from reportqa.ingest.parse import ChunkSettings
from reportqa.ingest.read import read_report

NAMES = ["jinghu-2024-fazhi", "shenzhen-longhua-2019-fazhi"]


class _Counting:
    """The embedder, counting the passages embedded in this process."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.passages = 0

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.passages += len(texts)
        return self.inner.embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


def _gone_soon(seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.2)
    return not multiprocessing.active_children()


def test_started_processes_embed_every_batch_and_end_with_the_build(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    reports = [read_report(SEEDS / f"{n}.txt") for n in NAMES]
    alone = tmp_path / "alone"
    build_index(reports, alone, embedder, ChunkSettings())
    index_dir = tmp_path / "index"
    counting = _Counting(embedder)
    started = start_processes(embedder.name, 2)
    result = build_index(
        reports, index_dir, counting, ChunkSettings(), workers=2, processes=started
    )
    assert result.changed and counting.passages == 0  # all embedded in the processes
    assert _gone_soon()
    assert (index_dir / "chunks.jsonl").read_bytes() == (alone / "chunks.jsonl").read_bytes()
    assert np.allclose(
        np.load(index_dir / "vectors.npy"), np.load(alone / "vectors.npy"), atol=1e-5
    )
    # The same reports again: up to date, and processes started for it end all the same.
    started = start_processes(embedder.name, 2)
    again = build_index(reports, index_dir, counting, ChunkSettings(), workers=2, processes=started)
    assert not again.changed
    assert _gone_soon()


def test_processes_are_started_early_only_for_a_first_build_of_many_files(
    tmp_path: Path,
) -> None:
    index_dir = tmp_path / "index"
    assert embeds_every_file(index_dir, 10, workers=2, embedder="use")
    assert not embeds_every_file(index_dir, 9, workers=2, embedder="use")
    assert not embeds_every_file(index_dir, 10, workers=1, embedder="use")
    assert not embeds_every_file(index_dir, 10, workers=2, embedder="BAAI/bge-small-zh-v1.5")
    index_dir.mkdir()
    (index_dir / "manifest.json").write_text("{}", encoding="utf-8")  # an index is there
    assert not embeds_every_file(index_dir, 10, workers=2, embedder="use")


def test_batches_go_in_pieces_and_come_back_whole(embedder) -> None:  # type: ignore[no-untyped-def]
    text = (SEEDS / "anhui-2026-zfgzbg.txt").read_text(encoding="utf-8")
    sentences = [s for s in text.split("。") if s.strip()][: 2 * PIECE_PASSAGES + 30]
    batches = [("a", sentences[:5]), ("b", None), ("c", sentences[5:])]
    with BatchEmbedder(embedder, workers=2, start_after=0) as parallel:
        results = list(parallel.embed_in_order(batches))
    assert _gone_soon()
    assert [k for k, _ in results] == ["a", "b", "c"]
    assert results[1][1] is None
    for (_k, texts), (_, vectors) in zip(batches, results, strict=True):
        if texts is not None:
            assert vectors is not None and vectors.shape == (len(texts), embedder.dim)
            assert np.allclose(vectors, embedder.embed_passages(texts), atol=1e-5)
