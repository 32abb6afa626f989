"""The build's throughput beside the embedder's raw throughput on the same text.

A slice of real reports (the first N of eval/reports/, distinct texts) is embedded alone and then
built into an index, every step in a fresh process, on:

- raw, 1 process with 1 BLAS thread, then 2 threads: the passages exactly as the build embeds
  them (title, section and chunk text), in the build's batches, the model already loaded;
- raw, one process per core (the build's `BatchEmbedder`, the workers already started);
- the build as `reportqa index` runs it (the readability check of every file, then
  `build_index`; the model loaded, nothing cached), with 1 and with one process per core; the
  time inside the embedder is counted, and the CPU seconds of the main process and of its
  embedding processes, to say where the rest goes.

Figures are report characters per second, and CPU seconds (all processes, the embedding
processes' model loading included): on a shared machine the wall-clock figures move with the
other jobs, the CPU seconds much less. The steps run in rounds (`--pairs`, 3 by default), each
raw run right before the build it is compared with, and each build is given against the best
raw figure of its own round, with the load average after every step.

    python bench/bench_throughput.py [--reports 30] [--pairs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "eval" / "reports"
OUT = ROOT / "bench" / "out"


def slice_of(count: int) -> list[Path]:
    """The first `count` real report files (text and docx) in a fixed order."""
    paths = sorted(
        p for p in REPORTS.rglob("*") if p.suffix in (".txt", ".docx") and ".meta" not in p.name
    )
    return paths[:count]


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def passages(paths: list[Path]) -> tuple[list[list[str]], int]:
    """The build's batches of passages of these reports, and their characters."""
    from reportqa.indexing.build import BATCH_CHUNKS, report_meta
    from reportqa.ingest.parse import ChunkSettings, chunk_report
    from reportqa.ingest.report_sequence import ReportFiles
    from reportqa.search.retrieve import search_text

    batches: list[list[str]] = []
    chars = 0
    for report in ReportFiles(paths):
        chars += len(report.text)
        title = report_meta(report).title
        chunks = chunk_report(report.id, report.text, ChunkSettings(), report.page_starts)
        texts = [search_text(title, c) for c in chunks]
        batches += [texts[i : i + BATCH_CHUNKS] for i in range(0, len(texts), BATCH_CHUNKS)]
    return batches, chars


def raw(count: int, mode: str) -> dict[str, object]:
    """The embedder alone on the slice's passages; runs in a fresh process."""
    from reportqa.indexing.embed import UseEmbedder
    from reportqa.indexing.parallel_embed import BatchEmbedder, default_workers

    batches, chars = passages(slice_of(count))
    if mode == "processes":
        workers = default_workers()
        with BatchEmbedder(UseEmbedder(), workers=workers, start_after=0) as parallel:
            warm = [(i, batches[0][:8]) for i in range(workers * 2)]
            list(parallel.embed_in_order(warm))  # start the workers, load their models
            started = time.perf_counter()
            cpu_before = cpu_seconds(resource.RUSAGE_SELF)
            list(parallel.embed_in_order(enumerate(batches)))
            seconds = time.perf_counter() - started
            cpu = cpu_seconds(resource.RUSAGE_SELF) - cpu_before
        # the workers' CPU, loading their models included, as in the build's figure
        cpu += cpu_seconds(resource.RUSAGE_CHILDREN)
        label = f"{workers} processes"
    else:
        threads = 2 if mode == "threads" else 1
        embedder = UseEmbedder(threads=threads)
        embedder.embed_passages(batches[0][:8])  # load the weights
        started = time.perf_counter()
        cpu_before = cpu_seconds(resource.RUSAGE_SELF)
        for batch in batches:
            embedder.embed_passages(batch)
        seconds = time.perf_counter() - started
        cpu = cpu_seconds(resource.RUSAGE_SELF) - cpu_before
        label = f"1 process, {threads} thread{'s' if threads > 1 else ''}"
    return {
        "what": f"raw, {label}",
        "chars": chars,
        "passages": sum(len(b) for b in batches),
        "seconds": round(seconds, 1),
        "chars_per_s": round(chars / seconds),
        "cpu_s": round(cpu, 1),
    }


class TimedEmbedder:
    """The embedder, counting the time spent inside it."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.seconds = 0.0

    def embed_passages(self, texts):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return self.inner.embed_passages(texts)
        finally:
            self.seconds += time.perf_counter() - started

    def embed_query(self, text):  # type: ignore[no-untyped-def]
        return self.inner.embed_query(text)


def build(count: int, workers: int) -> dict[str, object]:
    """The real build of the slice; runs in a fresh process."""
    from reportqa.indexing.build import build_index, embeds_every_file
    from reportqa.indexing.embed import load_embedder
    from reportqa.indexing.parallel_embed import start_processes
    from reportqa.ingest.parse import ChunkSettings
    from reportqa.ingest.report_sequence import ReportFiles, readable_reports

    paths = slice_of(count)
    embedder = TimedEmbedder(load_embedder())
    embedder.embed_passages(["预热"])
    embedder.seconds = 0.0
    chars = sum(len(r.text) for r in ReportFiles(paths))
    cpu_before = cpu_seconds(resource.RUSAGE_SELF)
    with tempfile.TemporaryDirectory(prefix="reportqa-throughput-") as tmp:
        started = time.perf_counter()
        # As `reportqa index` does: the embedding processes started (a first build of ten
        # reports or more), the readability check, then the build.
        index_dir = Path(tmp) / "index"
        processes = (
            start_processes(embedder.name, workers)
            if embeds_every_file(index_dir, len(paths), workers, embedder.name)
            else None
        )
        reports, _failures = readable_reports(paths)
        result = build_index(
            reports, index_dir, embedder, ChunkSettings(), workers=workers, processes=processes
        )
        seconds = time.perf_counter() - started
    main_cpu = cpu_seconds(resource.RUSAGE_SELF) - cpu_before
    workers_cpu = cpu_seconds(resource.RUSAGE_CHILDREN)
    return {
        "what": f"build, {workers} embedding process{'es' if workers > 1 else ''}",
        "chars": chars,
        "passages": result.chunks,
        "seconds": round(seconds, 1),
        "chars_per_s": round(chars / seconds),
        "in_main_embedder_s": round(embedder.seconds, 1),
        "main_cpu_s": round(main_cpu, 1),
        "workers_cpu_s": round(workers_cpu, 1),
        "cpu_s": round(main_cpu + workers_cpu, 1),
    }


def run_json(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, *args], check=True, stdout=subprocess.PIPE, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def load_average() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def pair_steps(cores: int, threads: bool) -> list[tuple[str, str]]:
    """One pair's steps: each raw figure right before the build it is compared with."""
    steps = [("--raw", "one"), ("--build", "1")]
    if threads:
        steps.insert(1, ("--raw", "threads"))
    if cores > 1:
        steps += [("--raw", "processes"), ("--build", str(cores))]
    return steps


def pair_lines(pair: int, rows: list[dict[str, object]]) -> list[str]:
    """A pair's builds against its best raw figure (and the 1-process build against the raw 1
    process), with the load average after each step."""
    raw_rows = [r for r in rows if str(r["what"]).startswith("raw")]
    best = max(int(r["chars_per_s"]) for r in raw_rows)  # type: ignore[call-overload]
    one = int(raw_rows[0]["chars_per_s"])  # type: ignore[call-overload]
    lines = []
    for r in rows:
        speed = int(r["chars_per_s"])  # type: ignore[call-overload]
        lines.append(
            f"| {pair} | {r['what']} | {speed:,} | {r['seconds']} | {speed / best:.0%} "
            f"| {speed / one:.0%} | {r['cpu_s']} | {cpu_share(r, raw_rows)} "
            f"| {r['load_average']} |"
        )
    return lines


def cpu_share(row: dict[str, object], raw_rows: list[dict[str, object]]) -> str:
    """For a build: the raw run's CPU seconds over the build's, with as many embedding
    processes (what of the build's CPU is the embedder's). Steadier than the wall clock on a
    shared machine, where the CPU a job gets moves with the others' work."""
    what = str(row["what"])
    if not what.startswith("build"):
        return ""
    many = not what.startswith("build, 1 ")
    same = [r for r in raw_rows if str(r["what"]).endswith("processes") == many]
    if not same or "threads" in str(same[0]["what"]):
        return ""
    return f"{float(same[0]['cpu_s']) / float(row['cpu_s']):.0%}"  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reports", type=int, default=30)
    parser.add_argument(
        "--pairs",
        type=int,
        default=3,
        help="rounds of raw and build runs back to back (on a shared machine the figures of "
        "one round are comparable, those of different rounds much less)",
    )
    parser.add_argument("--raw", choices=("one", "threads", "processes"))
    parser.add_argument("--build", type=int, metavar="WORKERS")
    parser.add_argument(
        "--no-threads",
        action="store_true",
        help="skip 1 process with 2 threads (several times slower than 1 thread here); it runs "
        "in the first round only",
    )
    args = parser.parse_args()
    if args.raw:
        print(json.dumps(raw(args.reports, args.raw)))
        return
    if args.build:
        print(json.dumps(build(args.reports, args.build)))
        return
    from reportqa.indexing.parallel_embed import default_workers

    cores = default_workers()
    rounds: list[list[dict[str, object]]] = []
    for pair in range(1, args.pairs + 1):
        rows = []
        for flag, value in pair_steps(cores, threads=pair == 1 and not args.no_threads):
            row = run_json(flag, value, "--reports", str(args.reports))
            row["load_average"] = load_average()
            row["pair"] = pair
            print(json.dumps(row, ensure_ascii=False), file=sys.stderr, flush=True)
            rows.append(row)
        rounds.append(rows)
    first = rounds[0][0]
    lines = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {time.strftime('%Y-%m-%d %H:%M')}; the first "
        f"{args.reports} reports of eval/reports/ ({first['chars']:,} characters, "
        f"{first['passages']:,} passages); each raw run right before its build",
        "",
        "| round | | chars/s | seconds | / best raw of the round | / raw 1 process "
        "| CPU s | CPU: raw / build | load avg (1, 5, 15 min) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for pair, rows in enumerate(rounds, 1):
        lines += pair_lines(pair, rows)
    for rows in rounds:
        for r in rows:
            if "main_cpu_s" in r:
                lines.append(
                    f"\nround {r['pair']}, {r['what']}: {r['seconds']} s, of which "
                    f"{r['in_main_embedder_s']} s inside the main process's embedder; CPU: main "
                    f"process {r['main_cpu_s']} s, embedding processes {r['workers_cpu_s']} s"
                )
    markdown = "\n".join(lines) + "\n"
    OUT.mkdir(parents=True, exist_ok=True)
    all_rows = [r for rows in rounds for r in rows]
    (OUT / "throughput.json").write_text(json.dumps(all_rows, indent=2), encoding="utf-8")
    (OUT / "throughput.md").write_text(markdown, encoding="utf-8")
    print(markdown)


if __name__ == "__main__":
    main()
