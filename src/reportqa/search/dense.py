"""Dense search over the chunk embeddings: exact below a size threshold, approximate above it.

- Up to `ANN_MIN_VECTORS` vectors: FAISS IndexFlatIP (exact).
- Above: FAISS IVF with 8-bit scalar-quantised lists, memory-mapped from disk, whose candidates are
  re-scored exactly from `vectors.npy` (memory-mapped too), so the scores returned are exact
  cosines and recall is that of the candidate list. IVF was chosen over HNSW by measurement
  (bench/bench_ann.py, README): HNSW searched faster at equal recall (0.18 vs ~4 ms at 0.986) but
  keeps every float vector plus its graph in memory (3.5 GB at 1.5 M chunks, over the 1.5 GB
  serving budget) and built 2x slower; 8-bit IVF lists take 0.8 GB at 1.5 M chunks and stay on
  disk until searched, and a filter that leaves few rows is not a problem for IVF (HNSW's graph
  walk degrades under selective filters).
- Report filters are applied inside the search: FAISS skips rows outside an ID selector (bitmap);
  a filter that leaves at most `EXACT_MAX_ROWS` rows is searched exactly over those rows alone.

The question's mean and spread of similarity to every chunk (the answer step's yardstick) come
from the first and second moments of the vectors, stored at build time: exact, and O(dim²)
instead of a pass over every vector.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from reportqa.indexing.arrays import load_mapped, read_block, read_rows_at
from reportqa.search.keyword_top import RowRanges
from reportqa.search.vector_rows import VectorRows

ANN_MIN_VECTORS = 50_000
EXACT_MAX_ROWS = 20_000
# Under a filter, lists probed grow as the share of rows kept shrinks, up to this many times the
# usual number (bench_scale.py: recall@10 by score under the routed filters, README "Scale").
FILTER_PROBE_FACTOR = 4
# Candidates taken from the IVF lists before exact re-scoring.
ANN_CANDIDATES = 100
SETTINGS = "dense.json"
MOMENTS = "dense_moments.npz"
FAISS_FILE = "dense.faiss"
VECTORS = "vectors.npy"
# Rows added to FAISS at a time during a build.
ADD_ROWS = 32_768

Progress = Callable[[str], None]


class Moments:
    """Running sums of the vectors and of their outer products."""

    def __init__(self, dim: int) -> None:
        self.count = 0
        self.total = np.zeros(dim, dtype=np.float64)
        self.outer = np.zeros((dim, dim), dtype=np.float64)

    def add(self, vectors: np.ndarray) -> None:
        v = vectors.astype(np.float64)
        self.count += len(v)
        self.total += v.sum(axis=0)
        self.outer += v.T @ v

    def save(self, folder: Path) -> None:
        np.savez(folder / MOMENTS, count=self.count, total=self.total, outer=self.outer)


class DenseIndex:
    def __init__(
        self,
        index: Any,
        vectors: np.ndarray | None = None,
        moments: tuple[int, np.ndarray, np.ndarray] | None = None,
        nprobe: int = 0,
        rows_on_disk: VectorRows | None = None,
    ) -> None:
        self._index = index
        self._vectors = vectors
        self._moments = moments
        self.nprobe = nprobe
        self.filter_probe_factor = FILTER_PROBE_FACTOR
        # Rows read from the file for re-scoring and exact search (None: from `vectors`).
        self._rows_on_disk = rows_on_disk

    def _take(self, rows: np.ndarray) -> np.ndarray:
        """These vectors (ascending row ids)."""
        if self._rows_on_disk is not None:
            return self._rows_on_disk.take(rows)
        assert self._vectors is not None
        return np.asarray(self._vectors[rows])

    @property
    def dim(self) -> int:
        return int(self._index.d)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def approximate(self) -> bool:
        return self.nprobe > 0

    def scores(self, query_vector: np.ndarray) -> np.ndarray:
        """Exact cosine of the query to every chunk (a full pass; for small indexes and tests)."""
        n = self.size
        out = np.full(n, -1.0, dtype=np.float32)
        if n == 0:
            return out
        if self._vectors is not None:
            q = query_vector.astype(np.float32)
            for start in range(0, n, ADD_ROWS):
                out[start : start + ADD_ROWS] = self._vectors[start : start + ADD_ROWS] @ q
            return out
        sims, ids = self._index.search(query_vector.reshape(1, -1).astype(np.float32), n)
        out[ids[0]] = sims[0]
        return out

    def similarity_stats(self, query_vector: np.ndarray) -> tuple[float, float]:
        """Mean and standard deviation of the query's cosine to every chunk."""
        if self._moments is None or self._moments[0] == 0:
            scores = self.scores(query_vector)
            return float(scores.mean()) if len(scores) else 0.0, float(scores.std())
        count, total, outer = self._moments
        q = query_vector.astype(np.float64)
        mean = float(q @ total) / count
        second = float(q @ outer @ q) / count
        return mean, math.sqrt(max(second - mean * mean, 0.0))

    def search(
        self, query_vector: np.ndarray, k: int, rows: np.ndarray | RowRanges | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """The `k` rows most similar to the query among `rows` (sorted row ids, or row ranges;
        None: all), best first, with their cosines."""
        q = np.ascontiguousarray(query_vector.reshape(1, -1), dtype=np.float32)
        n = self.size
        kept = None if rows is None else (rows.size if isinstance(rows, RowRanges) else len(rows))
        if n == 0 or k <= 0 or kept == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        if kept is not None and kept <= EXACT_MAX_ROWS and self._vectors is not None:
            listed = rows.rows() if isinstance(rows, RowRanges) else rows
            assert listed is not None
            return _exact_among(self._take(listed), listed, q[0], k)
        import faiss

        # FAISS keeps a pointer to the bitmap, not a copy: `bits` must outlive the search.
        selector, bits = (None, None) if rows is None else _bitmap_selector(rows, n)
        if self.approximate:
            # A filter that keeps a share of the rows keeps that share of each list: probe more
            # lists so that as many allowed candidates are seen.
            share = 1.0 if kept is None else kept / n
            nlist = int(self._index.nlist)
            widest = self.nprobe * self.filter_probe_factor
            nprobe = min(nlist, widest, max(self.nprobe, math.ceil(self.nprobe / share)))
            params: Any = faiss.SearchParametersIVF()
            params.nprobe = nprobe
            if selector is not None:
                params.sel = selector
            wanted = max(k, ANN_CANDIDATES)
        else:
            params = None
            if selector is not None:
                params = faiss.SearchParameters()
                params.sel = selector
            wanted = k
        sims, ids = self._index.search(q, wanted, params=params)
        del bits
        found = ids[0][ids[0] >= 0]
        if self.approximate and self._vectors is not None and len(found):
            # Exact cosines from the stored vectors: the quantised ones are only for ranking.
            found = np.sort(found)
            exact = self._take(found) @ q[0]
            order = np.argsort(-exact, kind="stable")[:k]
            return found[order], exact[order].astype(np.float32)
        return found[:k].astype(np.int64), sims[0][: len(found)][:k]

    def save(self, folder: Path) -> None:
        """Write the FAISS file (flat indexes only; large ones are written by `write_dense`)."""
        import faiss

        faiss.write_index(self._index, str(folder / FAISS_FILE))

    @classmethod
    def load(cls, folder: Path) -> DenseIndex:
        import faiss

        settings_path = folder / SETTINGS
        settings = (
            json.loads(settings_path.read_text(encoding="utf-8")) if settings_path.exists() else {}
        )
        nprobe = int(settings.get("nprobe", 0))
        # A question is one vector: FAISS's OpenMP threads only wait on each other for it, and
        # on a busy machine their spinning made a flat search of 14k vectors 5x slower (39 vs
        # 7.7 ms). Requests run in parallel threads of their own instead.
        faiss.omp_set_num_threads(1)
        # IVF lists stay on disk, read as the searches touch them; a flat index is read whole.
        flags = faiss.IO_FLAG_MMAP if nprobe else 0
        index = faiss.read_index(str(folder / FAISS_FILE), flags)
        vectors = load_mapped(folder / VECTORS) if (folder / VECTORS).exists() else None
        if vectors is not None and (vectors.ndim != 2 or len(vectors) != int(index.ntotal)):
            raise ValueError(f"{VECTORS} does not match {FAISS_FILE}")
        rows_on_disk = None
        if isinstance(vectors, np.memmap) and vectors.dtype == np.float32:
            rows_on_disk = VectorRows(folder / VECTORS, vectors.shape[1], int(vectors.offset))
        moments = None
        if (folder / MOMENTS).exists():
            with np.load(folder / MOMENTS) as saved:
                moments = (int(saved["count"]), saved["total"], saved["outer"])
        return cls(index, vectors, moments, nprobe, rows_on_disk)


def _exact_among(
    vectors: np.ndarray, rows: np.ndarray, q: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """The best `k` of `rows`, whose vectors are `vectors` (in the same order)."""
    sims = vectors @ q
    order = np.argsort(-sims, kind="stable")[:k]
    return rows[order].astype(np.int64), sims[order].astype(np.float32)


def _bitmap_selector(rows: np.ndarray | RowRanges, n: int) -> tuple[Any, np.ndarray]:
    """A FAISS selector of these rows, and the bitmap it points into."""
    import faiss

    if isinstance(rows, RowRanges):
        # From the ranges' bounds, without listing their rows (a routed filter keeps up to
        # millions): +1 where a range starts, -1 where it stops, summed.
        steps = np.zeros(n + 1, dtype=np.int8)
        steps[rows.starts] = 1
        steps[rows.stops] -= 1  # a range may stop where none starts, or where the next starts
        mask = np.cumsum(steps[:n], dtype=np.int8).astype(bool)
    else:
        mask = np.zeros(n, dtype=bool)
        mask[rows] = True
    bits = np.packbits(mask, bitorder="little")
    return faiss.IDSelectorBitmap(n, faiss.swig_ptr(bits)), bits


def ivf_lists(n: int) -> int:
    """Number of IVF lists: about 2·sqrt(n) (FAISS suggests 1–16·sqrt(n)); fewer lists keep the
    training sample, 48 vectors a list, small (at 1.5 M vectors: 2,449 lists, 240 MB)."""
    return max(1, int(2 * math.sqrt(n)))


def default_nprobe(nlist: int) -> int:
    """Lists probed per search: a sixth of them, at most 64. Measured with bench/bench_ann.py on
    14,113 distinct chunks of 101 real reports (nlist 237), recall@10 against exact search: nprobe
    14 (1/16) 0.956, 32 0.986, 64 0.997. On 1,359,584 chunks (10,000 synthetic reports,
    nlist 2,332, bench_scale.py): nprobe 16 0.97, 32 0.98, 389 (a sixth) 1.0, searching in 3.6,
    6.6 and 97 ms: a sixth of the lists cost most of a question's time there."""
    return min(nlist, max(16, min(64, math.ceil(nlist / 6))))


def write_dense(folder: Path, dim: int, moments: Moments, progress: Progress | None = None) -> None:
    """Build `dense.faiss` from `vectors.npy` (read a block at a time) and write the settings."""
    import faiss

    path = folder / VECTORS
    n = moments.count
    moments.save(folder)
    if n < ANN_MIN_VECTORS:
        index: Any = faiss.IndexFlatIP(dim)
        for start in range(0, n, ADD_ROWS):
            index.add(read_block(path, dim, start, ADD_ROWS))
        faiss.write_index(index, str(folder / FAISS_FILE))
        (folder / SETTINGS).write_text(json.dumps({"kind": "flat"}), encoding="utf-8")
        return
    nlist = ivf_lists(n)
    # Training on an even sample: 39 points per list is FAISS's minimum.
    sample = read_rows_at(path, dim, np.linspace(0, n - 1, min(n, 48 * nlist)).astype(np.int64))
    quantizer = faiss.IndexFlatIP(dim)
    index = faiss.IndexIVFScalarQuantizer(
        quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    if progress:
        progress(f"training the vector index ({nlist} lists, {len(sample):,} samples)")
    index.train(sample)
    del sample
    for start in range(0, n, ADD_ROWS):
        index.add(read_block(path, dim, start, ADD_ROWS))
        if progress:
            progress(f"vector index: {min(start + ADD_ROWS, n):,}/{n:,}")
    faiss.write_index(index, str(folder / FAISS_FILE))
    settings = {"kind": "ivf-sq8", "nlist": nlist, "nprobe": default_nprobe(nlist)}
    (folder / SETTINGS).write_text(json.dumps(settings), encoding="utf-8")
