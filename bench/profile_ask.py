"""Where `ask` spends its time on a large index, step by step, for the slowest questions.

    python bench/profile_ask.py INDEX_DIR [--rounds 3] [--top 8]

Asks the evaluation questions about the indexed reports (as bench_scale.py picks them) and times
each step of every question: routing, the question's embedding, the report filter made into row
ranges, the dense leg, the keyword leg, fusion, reading the hit chunks (the hits' texts) and the
answer step. Prints the p50/p95 of each whole question and each step, and the steps of the
slowest questions (median over the rounds). The steps are timed by wrapping the engine's own
methods, so what is measured is what `ask` runs.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from bench_scale import percentile, questions_for  # noqa: E402


def timed(steps: dict[str, float], name: str, call: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return call(*args, **kwargs)
        finally:
            steps[name] += (time.perf_counter() - t0) * 1000

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("index_dir", type=Path)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument(
        "--tenth",
        action="store_true",
        help="ask the questions naming no place or year with reports= a tenth of the reports",
    )
    args = parser.parse_args()

    import reportqa.engine as engine_module
    from reportqa.engine import Engine
    from reportqa.indexing.embed import load_embedder

    embedder = load_embedder()
    embedder.embed_query("预热")
    started = time.perf_counter()
    engine = Engine(args.index_dir, embedder=embedder)
    print(f"load {time.perf_counter() - started:.2f} s", file=sys.stderr)
    steps: dict[str, float] = defaultdict(float)
    retriever = engine.retriever
    engine.route = timed(steps, "route", engine.route)  # type: ignore[method-assign]
    engine.query_vector = timed(steps, "embed", engine.query_vector)  # type: ignore[method-assign]
    retriever.allowed_ranges = timed(steps, "ranges", retriever.allowed_ranges)  # type: ignore[method-assign]
    retriever.dense.search = timed(steps, "dense", retriever.dense.search)  # type: ignore[method-assign]
    retriever.keyword.best = timed(steps, "keyword", retriever.keyword.best)  # type: ignore[method-assign]
    retriever._hits = timed(steps, "hit chunks", retriever._hits)  # type: ignore[method-assign]
    engine.passages = timed(steps, "passages", engine.passages)  # type: ignore[method-assign]
    engine_module.compose_answer = timed(steps, "answer", engine_module.compose_answer)

    questions = questions_for(engine)
    engine.ask(questions[0])  # first-use costs
    asked: dict[str, object] = {}
    if args.tenth:
        from reportqa.answer.question import analyse

        questions = [q for q in questions if engine.route(analyse(q)) is None]
        asked["reports"] = list(engine.reports)[::10]
    per_question: dict[str, list[dict[str, float]]] = defaultdict(list)
    totals: list[float] = []
    for _ in range(args.rounds):
        for question in questions:
            steps.clear()
            t0 = time.perf_counter()
            engine.ask(question, **asked)  # type: ignore[arg-type]
            total = (time.perf_counter() - t0) * 1000
            totals.append(total)
            per_question[question].append({"total": total, **steps})
    names = ["total", "route", "embed", "ranges", "dense", "keyword", "hit chunks", "passages"]
    names.append("answer")
    print(f"{len(questions)} questions x {args.rounds}")
    print("step        p50     p95   (ms, over every ask)")
    for name in names:
        values = [run.get(name, 0.0) for runs in per_question.values() for run in runs]
        print(f"{name:10} {statistics.median(values):7.1f} {percentile(values, 0.95):7.1f}")
    medians = {
        q: {n: statistics.median(run.get(n, 0.0) for run in runs) for n in names}
        for q, runs in per_question.items()
    }
    slowest = sorted(medians.items(), key=lambda item: -item[1]["total"])[: args.top]
    print("slowest (median of rounds): " + " ".join(f"{n[:7]:>7}" for n in names))
    for question, m in slowest:
        print(f"{question[:26]:26} " + " ".join(f"{m[n]:7.1f}" for n in names))


if __name__ == "__main__":
    main()
