"""Hybrid retrieval: BM25 over character n-grams and FAISS over sentence embeddings, fused.

Each leg ranks every chunk; the fused score is a weighted reciprocal-rank sum. Weighted RRF needs
no score calibration between legs (BM25 scores are unbounded, cosine is not), and its weights were
chosen on the evaluation set (see README).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from reportqa.indexing.chunkfile import ChunkFile
from reportqa.indexing.keyword_build import open_mapped_bm25
from reportqa.indexing.tokenize import tokenize
from reportqa.records import Chunk, Hit
from reportqa.search.backend import Candidates, SimilarityStats
from reportqa.search.dense import DenseIndex
from reportqa.search.keyword_top import Postings, RowRanges, best_rows
from reportqa.search.mapped_files import advise_random, file_reader, release

Mode = Literal["hybrid", "dense", "keyword"]
MODES: tuple[Mode, ...] = ("hybrid", "dense", "keyword")


@dataclass(frozen=True)
class FusionSettings:
    # Chosen on the evaluation set (README): keyword ranking is the stronger leg on these reports
    # (MRR@10 .99 alone), so the dense leg gets a small weight that lifts a paraphrased passage
    # into the top five without displacing exact keyword matches (MRR .986; .928 at 0.5/60).
    keyword_weight: float = 1.0
    dense_weight: float = 0.2
    rrf_k: int = 10
    depth: int = 50


def search_text(title: str, chunk: Chunk) -> str:
    """What the retrievers see of a chunk: its report title and heading path give context that
    the sentences themselves leave implicit (which place, which year, which topic)."""
    return f"{title}\n{chunk.section}\n{chunk.text}"


# Below this many postings for a question's terms, adding them all up is faster than pruning.
FULL_SUM_POSTINGS = 300_000
# The BM25 pages a server has mapped are let go after searches that could have touched this many
# bytes of postings: they would otherwise stay resident (2.5 GB of them at 10,000 reports).
RELEASE_AFTER_BYTES = 256_000_000


class KeywordIndex:
    def __init__(self, model: Any, rows_sorted: bool = False) -> None:
        self._model = model
        # Posting lists sorted by row (the project's own BM25 files) can be searched by row.
        self._postings: Postings | None = None
        self._mapped: tuple[np.ndarray, ...] = ()
        self._mapped_reads = 0
        if rows_sorted:
            arrays = model.scores
            self._postings = Postings(
                arrays["data"],
                arrays["indices"],
                arrays["indptr"],
                int(arrays["num_docs"]),
                read_data=file_reader(arrays["data"]),
                read_indices=file_reader(arrays["indices"]),
            )
            self._mapped = (arrays["data"], arrays["indices"])
            for mapped in self._mapped:
                advise_random(mapped)

    def term_ids(self, query: str) -> list[int]:
        """The query's known terms in query order, repeats included (each adds its score)."""
        vocab = self._vocab
        tokens = tokenize(query)
        # Each distinct term looked up once: the vocabulary may be a table on disk.
        found = {t: vocab.get(t) for t in dict.fromkeys(tokens)}
        return [term_id for t in tokens if (term_id := found[t]) is not None]

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every chunk: the sum of the query terms' precomputed (chunk, term)
        scores, term by term in query order (as bm25s sums them, so the floats are the same).
        A term's posting list holds each chunk once, so a plain indexed add is exact; bm25s's
        own np.add.at is several times slower on the long lists of a large index."""
        return self._sum(self.term_ids(query))

    def _sum(self, ids: list[int]) -> np.ndarray:
        out = np.zeros(self._size, dtype=np.float32)
        arrays = self._model.scores
        data, indices, indptr = arrays["data"], arrays["indices"], arrays["indptr"]
        for term in ids:
            start, end = int(indptr[term]), int(indptr[term + 1])
            out[indices[start:end]] += data[start:end]
        return out

    def best(
        self, query: str, allowed: RowRanges | None, depth: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """The `depth` best allowed rows (None: all) and their scores, best first, ties by row:
        `top_rows(self.scores(query), allowed rows, depth)`, from the postings of the allowed
        rows and, of the common terms, only those of rows that can still reach the top
        (search/keyword_top.py)."""
        terms = self.term_ids(query)
        postings = self._postings
        if postings is None:
            rows = None if allowed is None else allowed.rows()
            return top_rows(self.scores(query), rows, depth)
        listed = postings.total(terms)
        try:
            if listed <= FULL_SUM_POSTINGS:
                rows = None if allowed is None else allowed.rows()
                return top_rows(self._sum(terms), rows, depth)
            return best_rows(postings, terms, allowed or RowRanges.every(self._size), depth)
        finally:
            self._mapped_reads += listed * 8  # at most what the search touched
            if self._mapped_reads > RELEASE_AFTER_BYTES:
                # The pages read leave the server's resident memory (they stay in the page
                # cache); not after every question: mapping them again costs time.
                self._mapped_reads = 0
                for mapped in self._mapped:
                    release(mapped)

    @property
    def _vocab(self) -> Mapping[str, int]:
        return self._model.vocab_dict

    @property
    def _size(self) -> int:
        return int(self._model.scores["num_docs"])

    def save(self, folder: Path) -> None:
        self._model.save(str(folder / "bm25"), show_progress=False)

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        # The vocabulary too is read from disk, by binary search (indexing/term_table.py), so
        # that it takes no memory that grows with the corpus; older indexes go through bm25s.
        mapped = open_mapped_bm25(folder / "bm25")
        if mapped is not None:
            return cls(mapped, rows_sorted=True)
        import bm25s

        # Memory-mapped: a question reads the posting lists of its own terms only.
        return cls(
            bm25s.BM25.load(str(folder / "bm25"), show_progress=False, verbosity=0, mmap=True)
        )


def build_keyword_index(texts: list[str]) -> KeywordIndex:
    import bm25s

    model = bm25s.BM25()
    model.index([tokenize(t) for t in texts], show_progress=False)
    return KeywordIndex(model)


def build_dense_index(vectors: np.ndarray) -> DenseIndex:
    """An exact in-memory index of these vectors (builds write theirs with dense.write_dense)."""
    import faiss

    index = faiss.IndexFlatIP(vectors.shape[1])
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return DenseIndex(index, np.ascontiguousarray(vectors, dtype=np.float32))


def ranks_of(scores: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """1-based rank of each chunk by descending score among the allowed ones (0 = not ranked)."""
    ranks = np.zeros(len(scores), dtype=np.int64)
    candidates = np.flatnonzero(allowed)
    order = candidates[np.argsort(-scores[candidates], kind="stable")]
    ranks[order] = np.arange(1, len(order) + 1)
    return ranks


def fuse(
    keyword_scores: np.ndarray | None,
    dense_scores: np.ndarray | None,
    allowed: np.ndarray,
    fusion: FusionSettings,
) -> np.ndarray:
    """Weighted reciprocal-rank fusion over the top `depth` of each leg."""
    fused = np.zeros(len(allowed), dtype=np.float64)
    legs = ((keyword_scores, fusion.keyword_weight), (dense_scores, fusion.dense_weight))
    for scores, weight in legs:
        if scores is None or weight == 0:
            continue
        ranks = ranks_of(scores, allowed)
        in_depth = (ranks > 0) & (ranks <= fusion.depth)
        fused[in_depth] += weight / (fusion.rrf_k + ranks[in_depth])
    return fused


def top_rows(
    scores: np.ndarray, rows: np.ndarray | None, depth: int
) -> tuple[np.ndarray, np.ndarray]:
    """The first `depth` of `rows` (None: all) by descending score, ties by row: what a stable
    sort of every row would give, without sorting every row."""
    values = scores if rows is None else scores[rows]
    if len(values) > depth:
        negated = -values
        kth = np.partition(negated, depth - 1)[depth - 1]
        above = np.flatnonzero(negated < kth)
        ties = np.flatnonzero(negated == kth)[: depth - len(above)]
        picked = np.sort(np.concatenate([above, ties]))
    else:
        picked = np.arange(len(values))
    picked = picked[np.argsort(-values[picked], kind="stable")]
    ids = picked if rows is None else rows[picked]
    return ids.astype(np.int64), values[picked]


def fuse_ranked(legs: list[tuple[np.ndarray, float]], fusion: FusionSettings) -> dict[int, float]:
    """Weighted reciprocal-rank fusion of ranked row lists (each already cut to `depth`)."""
    fused: dict[int, float] = {}
    for ranked, weight in legs:
        if weight == 0:
            continue
        for rank, row in enumerate(ranked[: fusion.depth].tolist(), start=1):
            fused[row] = fused.get(row, 0.0) + weight / (fusion.rrf_k + rank)
    return fused


def report_rows(chunks: Sequence[Chunk]) -> dict[str, range]:
    """The rows of each report's chunks (consecutive in an index)."""
    if isinstance(chunks, ChunkFile):
        return {rid: chunks.rows_of(rid) for rid in chunks.report_rows}
    found: dict[str, list[int]] = {}
    for row, chunk in enumerate(chunks):
        found.setdefault(chunk.report, []).append(row)
    return {rid: range(rows[0], rows[-1] + 1) for rid, rows in found.items()}


class Retriever:
    """The embedded backend: BM25 and FAISS files of the index folder, fused.

    Like pyserini's and haystack's retrievers it takes the query's vector, not an embedder: the
    engine embeds the question once and hands the same vector to every step that needs it."""

    name = "faiss"

    def __init__(
        self,
        chunks: Sequence[Chunk],
        keyword: KeywordIndex,
        dense: DenseIndex,
        fusion: FusionSettings | None = None,
    ) -> None:
        self.chunks = chunks
        self.keyword = keyword
        self.dense = dense
        self.fusion = fusion or FusionSettings()
        self._report_rows = report_rows(chunks)
        # The same as arrays, so that a filter of thousands of reports becomes ranges at once.
        self._report_number = {rid: i for i, rid in enumerate(self._report_rows)}
        self._report_starts = np.asarray([r.start for r in self._report_rows.values()], np.int64)
        self._report_stops = np.asarray([r.stop for r in self._report_rows.values()], np.int64)

    def allowed_ranges(self, reports: set[str] | None) -> RowRanges | None:
        """These reports' chunks as sorted row ranges (None: every row)."""
        if not reports:
            return None
        number = self._report_number
        picked = np.fromiter((number[r] for r in reports if r in number), dtype=np.int64)
        return RowRanges.merged(self._report_starts[picked], self._report_stops[picked])

    def allowed_rows(self, reports: set[str] | None) -> np.ndarray | None:
        """Sorted rows of these reports' chunks (None: every row)."""
        ranges = self.allowed_ranges(reports)
        return None if ranges is None else ranges.rows()

    def similarity_stats(self, query_vector: np.ndarray) -> SimilarityStats:
        """The query's similarity to every chunk, summarised from the stored vector moments (no
        pass over every chunk)."""
        mean, std = self.dense.similarity_stats(query_vector)
        return SimilarityStats(mean, std)

    def search(
        self,
        query: str,
        query_vector: np.ndarray | None,
        top_k: int = 5,
        mode: Mode = "hybrid",
        reports: set[str] | None = None,
    ) -> list[Hit]:
        """The best `top_k` chunks of `reports` (None: all) for the keyword query `query` and the
        embedded query `query_vector` (None: the keyword leg alone). The report filter is applied
        inside each leg's search."""
        ranges = self.allowed_ranges(reports)
        depth = max(self.fusion.depth, top_k)
        dense_ranked: tuple[np.ndarray, np.ndarray] | None = None
        if mode != "keyword" and query_vector is not None:
            # The ranges themselves: a wide filter's rows are never listed one by one.
            dense_ranked = self.dense.search(query_vector, depth, ranges)
        if mode == "dense" and dense_ranked is not None:
            ids, sims = dense_ranked
            return self._hits(ids[:top_k], sims[:top_k])
        if dense_ranked is None:
            ids, scores = self.keyword.best(query, ranges, top_k)
            positive = scores > 0
            return self._hits(ids[positive], scores[positive])
        keyword_ids, _ = self.keyword.best(query, ranges, self.fusion.depth)
        fused = fuse_ranked(
            [
                (keyword_ids, self.fusion.keyword_weight),
                (dense_ranked[0], self.fusion.dense_weight),
            ],
            self.fusion,
        )
        candidates = np.array(sorted(row for row, score in fused.items() if score > 0))
        if not len(candidates):
            return []
        values = np.array([fused[int(row)] for row in candidates])
        order = np.argsort(-values, kind="stable")[:top_k]
        return self._hits(candidates[order], values[order])

    def _hits(self, ids: np.ndarray, scores: np.ndarray) -> list[Hit]:
        return [
            Hit(int(i), self.chunks[int(i)], float(s))
            for i, s in zip(ids.tolist(), scores.tolist(), strict=True)
        ]

    def candidates(
        self,
        query: str,
        query_vector: np.ndarray | None,
        reports: set[str] | None,
        top_k: int,
        mode: Mode,
    ) -> Candidates:
        """The retriever interface (reportqa.search.backend)."""
        hits = self.search(query, query_vector, top_k, mode, reports)
        if query_vector is None or mode == "keyword":
            return Candidates(hits, None)
        return Candidates(hits, self.similarity_stats(query_vector))
