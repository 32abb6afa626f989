"""How reportqa scales with the number of reports: index build throughput, query latency and peak
memory at 1, 6 and about 200 reports (the six real reports repeated under new ids).

Each size runs in its own process, so peak memory (maxrss) is that size's alone.
Run with `make bench`; results go to bench/out/scale.json and bench/out/scale.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
OUT = ROOT / "bench" / "out"
SIZES = (1, 6, 204)  # 204 = 34 copies of the six real reports
QUESTIONS = [
    "镜湖区2024年全区共调解矛盾纠纷多少件？",
    "淮安市2024年市政府网站主动公开各类政府信息多少条？",
    "光明区2021年共印发区政府规范性文件多少份？",
    "龙华区2019年以来共接到来电投诉多少宗？",
    "厦门2023年市属国有企业资产总额增长多少？",
    "安徽省2025年量子计算研发平台有什么进展？",
    "行政复议案件办理情况如何？",
    "如何优化营商环境？",
]
QUERY_ROUNDS = 5


def make_reports(count: int, folder: Path) -> list[Path]:
    """`count` report files: the real reports in turn, copies renamed with their sidecars."""
    originals = sorted(SEEDS.glob("*.txt"))
    if count == 1:
        originals = [SEEDS / "jinghu-2024-fazhi.txt"]
    paths = []
    for k in range(count):
        source = originals[k % len(originals)]
        stem = source.stem if k < len(originals) else f"{source.stem}-copy{k // len(originals)}"
        target = folder / f"{stem}.txt"
        shutil.copy(source, target)
        sidecar = source.with_name(source.stem + ".meta.json")
        if sidecar.exists():
            shutil.copy(sidecar, folder / f"{stem}.meta.json")
        paths.append(target)
    return paths


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(count: int) -> dict[str, object]:
    """Build an index of `count` reports and query it; run in a fresh process."""
    from reportqa.build import build_index
    from reportqa.embed import load_embedder
    from reportqa.engine import Engine
    from reportqa.ingest import read_report
    from reportqa.parse import ChunkSettings

    with tempfile.TemporaryDirectory(prefix="reportqa-bench-") as tmp:
        folder = Path(tmp) / "reports"
        folder.mkdir()
        reports = [read_report(p) for p in make_reports(count, folder)]
        chars = sum(len(r.text) for r in reports)
        embedder = load_embedder()
        started = time.perf_counter()
        result = build_index(reports, Path(tmp) / "index", embedder, ChunkSettings())
        build_s = time.perf_counter() - started

        started = time.perf_counter()
        engine = Engine(Path(tmp) / "index", embedder=embedder)
        load_s = time.perf_counter() - started
        engine.ask(QUESTIONS[0])  # warm-up: first-use costs (jieba dictionary) are not latency
        latencies = []
        for _ in range(QUERY_ROUNDS):
            for question in QUESTIONS:
                t0 = time.perf_counter()
                engine.ask(question)
                latencies.append((time.perf_counter() - t0) * 1000)
        index_bytes = sum(p.stat().st_size for p in (Path(tmp) / "index").rglob("*") if p.is_file())
    return {
        "reports": count,
        "chars": chars,
        "chunks": result.chunks,
        "build_s": round(build_s, 2),
        "chars_per_s": round(chars / build_s),
        "chunks_per_s": round(result.chunks / build_s, 1),
        "load_s": round(load_s, 2),
        "queries": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "index_mb": round(index_bytes / 1e6, 1),
        # Linux reports ru_maxrss in kilobytes.
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0),
    }


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def table(rows: list[dict[str, object]]) -> str:
    lines = [
        "| reports | chars | chunks | build s | chars/s | query p50 ms | query p95 ms "
        "| index load s | index MB | peak RSS MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['reports']} | {r['chars']:,} | {r['chunks']:,} | {r['build_s']} "
            f"| {r['chars_per_s']:,} | {r['p50_ms']} | {r['p95_ms']} | {r['load_s']} "
            f"| {r['index_mb']} | {r['peak_rss_mb']:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--one", type=int, help="measure this many reports and print JSON")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one)))
        return
    rows = []
    for count in args.sizes:
        print(f"measuring {count} report(s)…", file=sys.stderr, flush=True)
        done = subprocess.run(
            [sys.executable, __file__, "--one", str(count)],
            check=True,
            capture_output=True,
            text=True,
        )
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    OUT.mkdir(parents=True, exist_ok=True)
    header = (
        f"Machine: {machine()}; default embedder (USE multilingual v3); {time.strftime('%Y-%m-%d')}"
    )
    (OUT / "scale.json").write_text(
        json.dumps({"machine": machine(), "rows": rows}, indent=2), encoding="utf-8"
    )
    markdown = f"{header}\n\n{table(rows)}\n"
    (OUT / "scale.md").write_text(markdown, encoding="utf-8")
    print(markdown)


if __name__ == "__main__":
    main()
