"""The BM25 index built a batch of chunks at a time, in memory bounded by the batch.

bm25s builds its score matrix from every tokenised chunk at once (a 30 MB report took gigabytes).
Here each chunk's term counts are appended to work files as the chunks stream by; at the end the
(chunk, term) entries are turned into bm25s's term-major (CSC) arrays in passes over the work
files, each pass filling a bounded range of terms. The files written are bm25s's own format and
its scores are identical (Lucene BM25, k1 1.5, b 0.75; a test compares them), so
`bm25s.BM25.load` reads the result, memory-mapped.
"""

from __future__ import annotations

import json
import shutil
from array import array
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from reportqa.indexing.arrays import NpyAppender, load_mapped, read_rows
from reportqa.indexing.term_table import TermTable, has_term_table, write_term_table
from reportqa.indexing.tokenize import tokenize

K1 = 1.5
B = 0.75
# Term-major entries (score + chunk id, 8 bytes each) filled per pass: 16 M entries = 128 MB.
PASS_ENTRIES = 16_000_000
# Chunk-major entries read from the work files at a time.
READ_ENTRIES = 4_000_000


@dataclass(frozen=True)
class EncodedChunks:
    """A batch of chunks' (term id, count) entries; `docs` counts from the batch's first chunk."""

    terms: np.ndarray  # uint32
    counts: np.ndarray  # uint16
    docs: np.ndarray  # uint32
    lengths: np.ndarray  # tokens per chunk, uint32


class KeywordIndexWriter:
    """Collects chunk texts; `finish()` writes `bm25/` in bm25s's format."""

    def __init__(self, folder: Path, pass_entries: int = PASS_ENTRIES) -> None:
        self.folder = folder
        self._work = folder / ".bm25-work"
        self._work.mkdir()
        self._pass_entries = pass_entries
        self.vocab: dict[str, int] = {}
        self._df = np.zeros(1 << 16, dtype=np.int64)
        self._terms = NpyAppender(self._work / "terms.npy", np.uint32)
        self._counts = NpyAppender(self._work / "counts.npy", np.uint16)
        self._docs = NpyAppender(self._work / "docs.npy", np.uint32)
        self._lengths = array("I")  # tokens per chunk, compact

    @property
    def documents(self) -> int:
        return len(self._lengths)

    def add(self, texts: list[str]) -> None:
        counts = []
        for text in texts:
            tokens = tokenize(text)
            counts.append((Counter(tokens), len(tokens)))
        self.add_counts(counts)

    def add_counts(self, documents: list[tuple[Counter[str], int]]) -> None:
        """Add chunks given as (term counts, number of tokens)."""
        self.add_encoded(self.encode(documents))

    def encode(self, documents: list[tuple[Counter[str], int]]) -> EncodedChunks:
        """Chunks given as (term counts, number of tokens) as term ids (new terms get ids)."""
        vocab = self.vocab
        terms: list[int] = []
        counts: list[int] = []
        for term_counts, _ in documents:
            ids = list(map(vocab.get, term_counts))  # one C-level pass; most terms are known
            if None in ids:  # new terms get ids in order of first appearance
                ids = [vocab.setdefault(token, len(vocab)) for token in term_counts]
            terms.extend(ids)  # type: ignore[arg-type]
            counts.extend(term_counts.values())
        sizes = [len(term_counts) for term_counts, _ in documents]
        return EncodedChunks(
            np.asarray(terms, dtype=np.uint32),
            np.minimum(np.asarray(counts, dtype=np.int64), 65535).astype(np.uint16),
            np.repeat(np.arange(len(documents), dtype=np.uint32), sizes),
            np.asarray([length for _, length in documents], dtype=np.uint32),
        )

    def add_encoded(self, chunks: EncodedChunks) -> None:
        """Add encoded chunks (from `encode` of this writer) after those already added."""
        first = len(self._lengths)
        self._lengths.extend(chunks.lengths.tolist())
        if len(self.vocab) > len(self._df):
            while len(self.vocab) > len(self._df):
                self._df = np.concatenate([self._df, np.zeros_like(self._df)])
        # Each (chunk, term) pair occurs once, so counting pairs counts documents.
        self._df[: len(self.vocab)] += np.bincount(chunks.terms, minlength=len(self.vocab))[
            : len(self.vocab)
        ]
        self._terms.append(chunks.terms)
        self._counts.append(chunks.counts)
        self._docs.append(chunks.docs + np.uint32(first))

    def finish(self) -> None:
        for appender in (self._terms, self._counts, self._docs):
            appender.close()
        out = self.folder / "bm25"
        out.mkdir()
        vocab_size = len(self.vocab)
        df = self._df[:vocab_size].astype(np.float64)
        n_docs = len(self._lengths)
        lengths = np.frombuffer(self._lengths, dtype=np.uint32).astype(np.float64)
        avg_length = float(lengths.mean()) if n_docs else 1.0
        idf = np.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        length_norm = K1 * ((1 - B) + B * lengths / avg_length)
        indptr = np.zeros(vocab_size + 1, dtype=np.int64)
        np.cumsum(self._df[:vocab_size], out=indptr[1:])
        with (
            NpyAppender(out / "data.csc.index.npy", np.float32) as data,
            NpyAppender(out / "indices.csc.index.npy", np.int32) as indices,
        ):
            for low, high in _term_ranges(indptr, self._pass_entries):
                scores, rows = self._fill(low, high, indptr, idf, length_norm)
                data.append(scores)
                indices.append(rows)
        np.save(out / "indptr.csc.index.npy", indptr)
        (out / "vocab.index.json").write_text(
            json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8"
        )
        write_term_table(out, self.vocab)  # what a server reads instead of the JSON
        (out / "params.index.json").write_text(
            json.dumps(_bm25s_params(n_docs), indent=4), encoding="utf-8"
        )
        shutil.rmtree(self._work, ignore_errors=True)

    def _fill(
        self,
        low: int,
        high: int,
        indptr: np.ndarray,
        idf: np.ndarray,
        length_norm: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Scores and chunk ids of terms [low, high), term-major, chunks ascending per term."""
        base = int(indptr[low])
        size = int(indptr[high]) - base
        scores = np.empty(size, dtype=np.float32)
        rows = np.empty(size, dtype=np.int32)
        cursor = indptr[low:high] - base
        total = self._terms.rows
        for start in range(0, total, READ_ENTRIES):
            # Read, not memory-mapped: mapped pages would count as this process's memory.
            terms = read_rows(self._work / "terms.npy", np.uint32, start, READ_ENTRIES)
            keep = (terms >= low) & (terms < high)
            if not keep.any():
                continue
            terms = terms[keep]
            counts = read_rows(self._work / "counts.npy", np.uint16, start, READ_ENTRIES)[keep]
            docs = read_rows(self._work / "docs.npy", np.uint32, start, READ_ENTRIES)[keep]
            order = np.argsort(terms, kind="stable")  # chunks stay ascending within a term
            terms, counts, docs = terms[order], counts[order].astype(np.float64), docs[order]
            first = np.r_[True, terms[1:] != terms[:-1]]
            starts = np.flatnonzero(first)
            rank = np.arange(len(terms)) - starts[np.cumsum(first) - 1]
            local = terms.astype(np.int64) - low
            positions = cursor[local] + rank
            scores[positions] = idf[terms] * counts / (length_norm[docs] + counts)
            rows[positions] = docs
            cursor[local[starts]] += np.diff(np.r_[starts, len(terms)])
        return scores, rows


def _term_ranges(indptr: np.ndarray, budget: int) -> list[tuple[int, int]]:
    """Consecutive term ranges whose entries fit the budget (a larger term gets a range alone)."""
    ranges = []
    vocab_size = len(indptr) - 1
    low = 0
    while low < vocab_size:
        high = int(np.searchsorted(indptr, indptr[low] + budget, side="right")) - 1
        high = min(max(high, low + 1), vocab_size)
        ranges.append((low, high))
        low = high
    return ranges


def _bm25s_params(n_docs: int) -> dict[str, object]:
    import bm25s

    model = bm25s.BM25()
    return {
        "k1": K1,
        "b": B,
        "delta": model.delta,
        "method": "lucene",
        "idf_method": "lucene",
        "dtype": "float32",
        "int_dtype": "int32",
        "num_docs": n_docs,
        "version": bm25s.__version__,
        "backend": model.backend,
    }


class MappedBM25:
    """The BM25 arrays of `bm25/` and its vocabulary, memory-mapped: the two attributes of a
    bm25s model that searching uses (`scores`, `vocab_dict`), without reading the vocabulary
    into a dict as `bm25s.BM25.load` does."""

    def __init__(self, folder: Path) -> None:
        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        self.scores: dict[str, object] = {
            "data": load_mapped(folder / "data.csc.index.npy"),
            "indices": load_mapped(folder / "indices.csc.index.npy"),
            "indptr": load_mapped(folder / "indptr.csc.index.npy"),
            "num_docs": int(params["num_docs"]),
        }
        self.vocab_dict = TermTable(folder)
        if len(self.scores["indptr"]) != len(self.vocab_dict) + 1:  # type: ignore[arg-type]
            raise ValueError("the BM25 arrays do not match the vocabulary")


def open_mapped_bm25(folder: Path) -> MappedBM25 | None:
    """The mapped BM25 index of `folder`, or None for an index written without a term table."""
    return MappedBM25(folder) if has_term_table(folder) else None
