"""Speed of the core path with the default embedder: model load, seed indexing, and `ask`.

Run with `make bench`. Prints a Markdown table and writes bench/out/core.json.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The dev and test questions about the six seed reports (the corpus questions need index-eval/).
QUESTION_FILES = [ROOT / "eval" / "dev.jsonl", ROOT / "eval" / "test.jsonl"]
SEED_NAMES = {p.name for p in (ROOT / "seeds").glob("*.txt")}
SEED = ROOT / "seeds" / "jinghu-2024-fazhi.txt"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    started = time.perf_counter()
    from reportqa.engine import Engine
    from reportqa.indexing.build import build_index
    from reportqa.indexing.embed import load_embedder
    from reportqa.ingest.parse import ChunkSettings
    from reportqa.ingest.read import read_report

    embedder = load_embedder()
    embedder.embed_passages(["预热"])  # the first call loads the weights
    load_s = time.perf_counter() - started
    rows = [
        json.loads(line)
        for path in QUESTION_FILES
        for line in path.read_text("utf-8").splitlines()
        if line.strip()
    ]
    questions = [row["question"] for row in rows if row.get("report") in SEED_NAMES]
    with tempfile.TemporaryDirectory() as tmp:
        index_dir = Path(tmp) / "index"
        t0 = time.perf_counter()
        result = build_index([read_report(SEED)], index_dir, embedder, ChunkSettings())
        index_s = time.perf_counter() - t0
        engine = Engine(index_dir, embedder=embedder)
        engine.ask(questions[0])  # loads the word segmenter once
        latencies = {"hybrid": [], "keyword": [], "dense": []}  # type: dict[str, list[float]]
        for mode, values in latencies.items():
            for question in questions:
                t = time.perf_counter()
                engine.ask(question, mode=mode)  # type: ignore[arg-type]
                values.append((time.perf_counter() - t) * 1000)
    figures = {
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}",
        "model_load_s": round(load_s, 2),
        "seed_chunks": result.chunks,
        "seed_index_s": round(index_s, 2),
        "ask_ms": {
            mode: {"p50": round(statistics.median(v), 1), "p95": round(percentile(v, 0.95), 1)}
            for mode, v in latencies.items()
        },
        "questions": len(questions),
    }
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "core.json").write_text(json.dumps(figures, indent=2), encoding="utf-8")
    print(f"Machine: {figures['machine']}")
    print(f"Model load: {load_s:.2f} s; seed index ({result.chunks} chunks): {index_s:.2f} s")
    print("| retriever | ask p50 (ms) | ask p95 (ms) |\n|---|---|---|")
    for mode, stats in figures["ask_ms"].items():  # type: ignore[union-attr]
        print(f"| {mode} | {stats['p50']} | {stats['p95']} |")


if __name__ == "__main__":
    main()
