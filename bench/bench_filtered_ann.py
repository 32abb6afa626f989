"""Recall of the approximate dense search under report filters, on real embeddings: how many
extra IVF lists a filter needs.

A filter keeping a share s of the rows keeps about that share of each IVF list, so the search
probes nprobe/s lists, capped at `FILTER_PROBE_FACTOR` x nprobe. This measures recall@10 against
exact search among the filter's rows for several caps. The index's own vectors (say the 107
evaluation reports, every chunk embedded from its own text) are put in an IVF index as a large
build would (forced below the size threshold, exact search of narrow filters turned off); the
filters are random sets of whole reports keeping 2% to 50% of the rows, and the queries are the
evaluation questions about those reports. (The 10,000-report synthetic index cannot measure
this: copies of a report share their vectors, so they fall in the same list.)

    python bench/bench_filtered_ann.py INDEX_DIR [--filters 40]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SHARES = (0.02, 0.05, 0.1, 0.2, 0.5, 1.0)
FACTORS = (1, 2, 4, 8, 1_000_000)


def main() -> None:
    from bench_ann import write_ivf

    from reportqa.indexing.embed import load_embedder
    from reportqa.indexing.store import read_index
    from reportqa.search import dense

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("--filters", type=int, default=40, help="random filters per share")
    args = parser.parse_args()
    files = read_index(args.index_dir)
    vectors = np.asarray(files.vectors)
    n, dim = vectors.shape
    rows_of = {rid: entry.rows for rid, entry in files.manifest.reports.items()}
    questions = []
    for split in ("dev", "test_corpus"):
        path = ROOT / "eval" / f"{split}.jsonl"
        if path.exists():
            questions += [json.loads(line)["question"] for line in path.open(encoding="utf-8")]
    embedder = load_embedder()
    rng = np.random.default_rng(0)
    picked = rng.choice(len(questions), min(300, len(questions)), replace=False)
    queries = np.stack([embedder.embed_query(questions[int(i)]) for i in picked])
    results: dict[str, object] = {"vectors": n, "queries": len(queries)}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_ivf(folder, vectors)  # IVF at this size, as above the threshold
        index = dense.DenseIndex.load(folder)
        dense.EXACT_MAX_ROWS = 0  # every filter through the IVF lists
        results["nlist"] = int(index._index.nlist)
        results["nprobe"] = index.nprobe
        reports = list(rows_of)
        for share in SHARES:
            cases = []
            for _ in range(args.filters):
                order = rng.permutation(len(reports))
                kept, size = [], 0
                for i in order:
                    if size >= share * n - 1e-9:
                        break
                    start, stop = rows_of[reports[int(i)]]
                    kept.append(np.arange(start, stop))
                    size += stop - start
                rows = np.sort(np.concatenate(kept))
                q = queries[len(cases) % len(queries)]
                exact = vectors[rows] @ q
                tenth = float(np.partition(exact, len(exact) - 10)[-10])
                cases.append((rows, q, tenth))
            by_factor = {}
            for factor in FACTORS:
                index.filter_probe_factor = factor
                found, search_ms = [], []
                for rows, q, tenth in cases:
                    t0 = time.perf_counter()
                    _, cosines = index.search(q, 10, rows)
                    search_ms.append((time.perf_counter() - t0) * 1000)
                    found.append(float(np.mean(cosines[:10] >= tenth - 1e-6)))
                by_factor["no cap" if factor == FACTORS[-1] else str(factor)] = {
                    "recall@10": round(float(np.mean(found)), 3),
                    "search_p50_ms": round(statistics.median(search_ms), 2),
                }
            results[f"share {share}"] = by_factor
            print(share, json.dumps(by_factor), flush=True)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
