"""A large synthetic index made from a real one: its reports copied under new ids and places, each
copy's vectors the real embeddings of the original's passages (read from the source index, not
computed again).

Embedding the 200 M characters of 10,000 reports takes many hours on 2 cores; everything else a
build does is done here for real, through the build's own writer (`IndexWriter`): every chunk of
every copy is written to `chunks.jsonl`, tokenised and counted for BM25, its vector appended to
`vectors.npy` and summed into the moments; then the BM25 arrays and the FAISS index (IVF above
its threshold, trained on the copies) are made from the files on disk, and the manifest written.
What is not done: reading and parsing report files, chunking and embedding; and the work that
gives the same result for every copy of a batch of passages is done once per original batch
(tokenising and counting terms, the vectors' moments), then added for each copy.

Copy k of a report gets the id `ID-copyK` and the place `样本K市` (copy 0 is the original), so
routing by place selects the copies of one place among thousands. Copies repeat their passages:
their vectors coincide and the vocabulary is that of the source reports (a real corpus's grows).

    python bench/replicate.py SOURCE_INDEX COUNT TARGET_INDEX
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from reportqa.indexing.arrays import read_block
from reportqa.indexing.build import BATCH_CHUNKS
from reportqa.indexing.chunkfile import ChunkFile
from reportqa.indexing.index_writer import IndexWriter
from reportqa.indexing.keyword_build import EncodedChunks
from reportqa.indexing.manifest import ReportEntry
from reportqa.indexing.store import new_index_folder, read_index, swap_in
from reportqa.records import Chunk

Say = Callable[[str], None]


@dataclass
class _Batch:
    """What one original batch adds to the stores besides its chunks and vectors."""

    encoded: EncodedChunks
    answer_df: Counter[str]
    total: np.ndarray
    outer: np.ndarray


class CopyingWriter(IndexWriter):
    """The build's writer, adding each copy of a batch from the original batch's counts.

    (Reads the writer's stores directly: this is a bench tool, and the stores are the build's.)"""

    def __init__(self, folder: Path, dim: int) -> None:
        super().__init__(folder, dim)
        self._batches: dict[tuple[str, int], _Batch] = {}

    def add_copy(
        self, key: tuple[str, int], chunks: list[Chunk], vectors: np.ndarray, title: str
    ) -> None:
        batch = self._batches.get(key)
        if batch is None:
            before = (
                Counter(self._answer_df),
                self._moments.total.copy(),
                self._moments.outer.copy(),
            )
            keyword = self._keyword
            encoded: list[EncodedChunks] = []
            add_encoded = keyword.add_encoded
            keyword.add_encoded = encoded.append  # type: ignore[method-assign]
            try:
                self.add(chunks, vectors, title)
            finally:
                keyword.add_encoded = add_encoded  # type: ignore[method-assign]
            add_encoded(encoded[0])
            self._batches[key] = _Batch(
                encoded[0],
                self._answer_df - before[0],
                self._moments.total - before[1],
                self._moments.outer - before[2],
            )
            return
        self._chunks.append(chunks)
        self._vectors.append(vectors)
        self._moments.count += len(vectors)
        self._moments.total += batch.total
        self._moments.outer += batch.outer
        self._answer_df.update(batch.answer_df)
        self._keyword.add_encoded(batch.encoded)


def copies(entries: Mapping[str, Any], count: int) -> Iterator[tuple[int, str, str]]:
    """(copy number, source report id, new report id) for `count` reports, copy by copy."""
    ids = list(entries)
    for k in range(count):
        copy, source = divmod(k, len(ids))
        rid = ids[source]
        yield copy, rid, rid if copy == 0 else f"{rid}-copy{copy}"


def copied_entry(entry: ReportEntry, copy: int, rows: tuple[int, int]) -> ReportEntry:
    if not copy:
        return dataclasses.replace(entry, rows=rows)
    sources = {**entry.sources, "places": "sidecar"}
    return dataclasses.replace(entry, rows=rows, places=(f"样本{copy}市",), sources=sources)


def replicate(source: Path, count: int, target: Path, say: Say | None = None) -> dict[str, Any]:
    """Write an index of `count` reports into `target` from the reports of `source`."""
    files = read_index(source)
    chunks = files.chunks
    assert isinstance(chunks, ChunkFile)
    entries = files.manifest.reports
    dim = int(files.manifest.embedder.dim)
    started = last = time.perf_counter()
    new_entries: dict[str, ReportEntry] = {}
    with new_index_folder(target) as tmp:
        writer = CopyingWriter(tmp, dim)
        for done, (copy, rid, new_id) in enumerate(copies(entries, count), start=1):
            rows = chunks.rows_of(rid)
            first = writer.count
            title = entries[rid].title
            for start in range(rows.start, rows.stop, BATCH_CHUNKS):
                stop = min(start + BATCH_CHUNKS, rows.stop)
                batch = [dataclasses.replace(chunks[r], report=new_id) for r in range(start, stop)]
                vectors = read_block(source / "vectors.npy", dim, start, stop - start)
                writer.add_copy((rid, start), batch, vectors, title)
            writer.write_text(new_id, files.texts[rid])
            new_entries[new_id] = copied_entry(entries[rid], copy, (first, writer.count))
            if say and time.perf_counter() - last > 60:
                last = time.perf_counter()
                say(f"{done:,}/{count:,} reports, {writer.count:,} chunks, {last - started:.0f} s")
        writer.finish(say)
        # (The manifest says nothing of the copies; the bench output does.)
        manifest = dataclasses.replace(
            files.manifest,
            built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            chunk_count=writer.count,
            reports=new_entries,
            files=None,
        )
        swap_in(tmp, target, manifest)
    return {"reports": count, "chunks": writer.count, "source_reports": len(entries)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("source", type=Path)
    parser.add_argument("count", type=int)
    parser.add_argument("target", type=Path)
    args = parser.parse_args()
    print(replicate(args.source, args.count, args.target, lambda s: print(s, file=sys.stderr)))


if __name__ == "__main__":
    main()
