"""Approximate dense search against exact search on a built index's vectors: IVF (8-bit lists,
exact re-scoring, as reportqa builds it above its size threshold) at several nprobe, and HNSW
at several efSearch, with recall@10, search time and build time.

    python bench/bench_ann.py INDEX_DIR [--queries 200]

Duplicate vectors (copies of one report) are dropped first, so that recall is measured on
distinct neighbours. The queries are the first 60 characters of randomly chosen chunks.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np


def recall_at_10(found: np.ndarray, truth: np.ndarray) -> float:
    return len(set(found.tolist()) & set(truth.tolist())) / 10


def write_ivf(folder: Path, vectors: np.ndarray) -> float:
    """Write `vectors` into `folder` as a build above the size threshold would (IVF forced at
    any size); the seconds the dense index took to write."""
    from reportqa.indexing.arrays import NpyAppender
    from reportqa.search import dense

    dim = vectors.shape[1]
    moments = dense.Moments(dim)
    with NpyAppender(folder / dense.VECTORS, np.float32, width=dim) as out:
        out.append(vectors)
    moments.add(vectors)
    dense.ANN_MIN_VECTORS = 0  # force IVF at any size
    started = time.perf_counter()
    dense.write_dense(folder, dim, moments)
    return time.perf_counter() - started


def main() -> None:
    import faiss

    from reportqa.indexing.chunkfile import ChunkFile
    from reportqa.indexing.embed import load_embedder
    from reportqa.indexing.store import read_index
    from reportqa.search import dense

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    files = read_index(args.index_dir)
    assert isinstance(files.chunks, ChunkFile)
    vectors = np.unique(np.asarray(files.vectors), axis=0)
    n, dim = vectors.shape
    rng = np.random.default_rng(0)
    rows = rng.choice(len(files.chunks), min(args.queries, len(files.chunks)), replace=False)
    embedder = load_embedder()
    queries = embedder.embed_passages([files.chunks[int(r)].text[:60] for r in rows])
    truth = [np.argsort(-(vectors @ q), kind="stable")[:10] for q in queries]
    results: dict[str, object] = {"vectors": n, "dim": dim, "queries": len(queries)}

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ivf_build = write_ivf(folder, vectors)
        index = dense.DenseIndex.load(folder)
        nlist = int(index._index.nlist)
        ivf: dict[str, object] = {"nlist": nlist, "build_s": round(ivf_build, 2)}
        for nprobe in sorted({1, 2, 4, 8, 16, 32, 64, dense.default_nprobe(nlist)}):
            if nprobe > nlist:
                continue
            index.nprobe = nprobe
            recalls, times = [], []
            for q, t in zip(queries, truth, strict=True):
                t0 = time.perf_counter()
                ids, _ = index.search(q, 10)
                times.append((time.perf_counter() - t0) * 1000)
                recalls.append(recall_at_10(ids, t))
            ivf[f"nprobe={nprobe}"] = {
                "recall@10": round(float(np.mean(recalls)), 4),
                "p50_ms": round(statistics.median(times), 2),
            }
        results["ivf_sq8_rescored"] = ivf

    hnsw_index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
    hnsw_index.hnsw.efConstruction = 80
    started = time.perf_counter()
    hnsw_index.add(vectors)
    hnsw: dict[str, object] = {
        "M": 32,
        "build_s": round(time.perf_counter() - started, 2),
        "memory_mb": round(n * (dim * 4 + 32 * 2 * 4) / 1e6, 1),
    }
    for ef in (16, 32, 64, 128):
        hnsw_index.hnsw.efSearch = ef
        recalls, times = [], []
        for q, t in zip(queries, truth, strict=True):
            t0 = time.perf_counter()
            _, ids = hnsw_index.search(q.reshape(1, -1), 10)
            times.append((time.perf_counter() - t0) * 1000)
            recalls.append(recall_at_10(ids[0], t))
        hnsw[f"efSearch={ef}"] = {
            "recall@10": round(float(np.mean(recalls)), 4),
            "p50_ms": round(statistics.median(times), 2),
        }
    results["hnsw_flat"] = hnsw
    results["ivf_memory_mb"] = round(n * (dim + 8) / 1e6, 1)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
