"""The Milvus backend (Milvus Lite 2.5) beside the embedded FAISS + BM25 backend.

    python bench/bench_milvus.py [--copies N]

Builds an index of the six seed reports; with --copies N, the index is enlarged to N copies of
them under new report ids (chunks, texts and vectors copied, BM25 rebuilt; nothing re-embedded),
to see how the two backends scale. Syncs it into a Milvus Lite file, then asks every evaluation
question through both backends. Prints a Markdown table; writes bench/out/milvus[-N].json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
EVAL = ROOT / "eval"
SEEDS = ROOT / "seeds"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def shown(answer: Any) -> dict[str, Any]:
    """An answer as `ask --json` shows it, without the timings."""
    data = answer.to_dict()
    data.pop("timings_ms")
    return data


def strip_scores(data: dict[str, Any]) -> dict[str, Any]:
    """The answer and its citations without their fused scores: with identical vectors (the
    enlarged index's copies), ties at a leg's 50th rank may be broken differently."""
    return data | {"citations": [c | {"score": None} for c in data["citations"]]}


def enlarge(index_dir: Path, copies: int) -> Path:
    """An index of `copies` copies of the reports in `index_dir`, written beside it with the same
    vectors (bench/replicate.py: copies get new ids and places)."""
    from replicate import replicate

    from reportqa.indexing.store import read_index

    count = len(read_index(index_dir).manifest.reports) * copies
    target = index_dir.with_name("index-enlarged")
    replicate(index_dir, count, target)
    return target


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=1)
    args = parser.parse_args()

    from reportqa.engine import Engine
    from reportqa.evaluation.runner import load_questions, partition_by_index
    from reportqa.indexing.build import build_index
    from reportqa.indexing.embed import load_embedder
    from reportqa.ingest.parse import ChunkSettings
    from reportqa.ingest.read import read_report
    from reportqa.search.milvus_backend import BackendChoice, MilvusSettings
    from reportqa.search.milvus_sync import sync_index

    embedder = load_embedder()
    # The evaluation questions about the six seed reports (and those naming no report).
    askable, _ = partition_by_index(
        [q for split in ("dev", "test") for q in load_questions(EVAL / f"{split}.jsonl")],
        [p.stem for p in SEEDS.glob("*.txt")],
    )
    questions = [q.question for q in askable]
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        reports = [read_report(p) for p in sorted(SEEDS.glob("*.txt"))]
        build_index(reports, index_dir, embedder, ChunkSettings())
        if args.copies > 1:
            index_dir = enlarge(index_dir, args.copies)
        settings = MilvusSettings(uri=str(Path(tmp) / "milvus.db"))
        t0 = time.perf_counter()
        first = sync_index(index_dir, settings)
        sync_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        sync_index(index_dir, settings)
        resync_s = time.perf_counter() - t0

        faiss = Engine(index_dir, embedder=embedder)
        milvus = Engine(index_dir, embedder=embedder)
        t0 = time.perf_counter()
        BackendChoice("milvus", settings).apply(milvus)
        open_s = time.perf_counter() - t0
        faiss.ask(questions[0])  # loads the word segmenter once
        milvus.ask(questions[0])
        timings: dict[str, dict[str, list[float]]] = {}
        same_top5: dict[str, int] = {}
        same_answer = 0
        same_spans = 0
        for mode in ("hybrid", "keyword", "dense"):
            same_top5[mode] = 0
            for name in ("faiss", "milvus"):
                timings.setdefault(f"{name} {mode}", {"retrieve": [], "ask": []})
            for question in questions:
                answers = {}
                for name, engine in (("faiss", faiss), ("milvus", milvus)):
                    answer = engine.ask(question, mode=mode)  # type: ignore[arg-type]
                    answers[name] = answer
                    t = timings[f"{name} {mode}"]
                    t["retrieve"].append(answer.timings_ms["retrieve"])
                    t["ask"].append(sum(answer.timings_ms.values()))
                ids = {n: [h.chunk_id for h in a.hits] for n, a in answers.items()}
                same_top5[mode] += ids["faiss"] == ids["milvus"]
                if mode == "hybrid":
                    same = [shown(a) for a in answers.values()]
                    same_answer += same[0] == same[1]
                    same_spans += strip_scores(same[0]) == strip_scores(same[1])
        # The candidate search alone: the question already embedded, no routing, no answer step.
        vectors = [embedder.embed_query(q) for q in questions]
        for name, engine in (("faiss", faiss), ("milvus", milvus)):
            values = []
            for question, vector in zip(questions, vectors, strict=True):
                t0 = time.perf_counter()
                engine.backend.candidates(question, vector, None, 5, "hybrid")
                values.append((time.perf_counter() - t0) * 1000)
            timings[f"{name} hybrid"]["candidates"] = values
    figures = {
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
        "reports": len(faiss.reports),
        "chunks": len(faiss.chunks),
        "questions": len(questions),
        "sync_s": round(sync_s, 2),
        "resync_unchanged_s": round(resync_s, 2),
        "rows_written": first.rows_written,
        "open_backend_s": round(open_s, 2),
        "same_top5": {m: round(v / len(questions), 3) for m, v in same_top5.items()},
        "same_answer_and_citations": round(same_answer / len(questions), 3),
        "same_answer_and_citation_spans": round(same_spans / len(questions), 3),
        "ms": {
            key: {
                part: {"p50": round(statistics.median(v), 1), "p95": round(percentile(v, 0.95), 1)}
                for part, v in parts.items()
            }
            for key, parts in timings.items()
        },
    }
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    name = "milvus.json" if args.copies == 1 else f"milvus-{args.copies}.json"
    (out / name).write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(f"Machine: {figures['machine']}")
    print(
        f"{figures['reports']} reports, {figures['chunks']} chunks; sync {sync_s:.2f} s "
        f"({first.rows_written} rows), unchanged re-sync {resync_s:.2f} s, "
        f"backend open {open_s:.2f} s"
    )
    print(
        f"identical top-5: {figures['same_top5']}; identical hybrid answers and cited spans: "
        f"{figures['same_answer_and_citation_spans']}, also identical citation scores: "
        f"{figures['same_answer_and_citations']}"
    )
    print("| backend, retriever | retrieve p50 / p95 ms | ask p50 / p95 ms |\n|---|---|---|")
    for key, parts in figures["ms"].items():  # type: ignore[union-attr]
        r, a = parts["retrieve"], parts["ask"]
        print(f"| {key} | {r['p50']} / {r['p95']} | {a['p50']} / {a['p95']} |")
    for key, parts in figures["ms"].items():  # type: ignore[union-attr]
        if "candidates" in parts:
            c = parts["candidates"]
            print(f"{key}: candidate search alone p50 {c['p50']} ms, p95 {c['p95']} ms")


if __name__ == "__main__":
    main()
