"""How reportqa scales with the number of reports: build throughput beside the embedder's raw
throughput, build peak memory, index load time, serving memory, `ask` latency and the recall of
the approximate dense search.

Sizes built for real (parse, chunk, embed, write): the six real reports in seeds/ and copies of
them under new ids, each copy with a sidecar giving it a new place (样本N市), so that routing by
place selects a few reports among thousands. From `REUSE_FROM` reports each distinct passage is
embedded once (copies repeat them).

`--reuse-vectors INDEX` builds every size instead from the reports of a real index (say the 107
evaluation reports) copied under new ids and places, with the real embeddings of the originals
(bench/replicate.py): everything a build does but parsing, chunking and embedding, which for
10,000 reports (~170 M characters) would take many hours on 2 cores. The output says so.

Copies of one report have the same text, so their vectors coincide: recall is therefore counted
by score (a result counts when its exact cosine is at least the exact 10th best), and the
vocabulary is that of the originals.

Each size builds in its own process and is served in another, so peak memory (maxrss) is that
step's alone. `make bench` runs sizes 1 and 6; larger sizes are asked for:
`python bench/bench_scale.py --sizes 204 1000`, or for 10,000 reports from the evaluation index
`python bench/bench_scale.py --reuse-vectors index-eval --sizes 10000` (about an hour here).
Results: bench/out/scale.json and scale.md.
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
SIZES = (1, 6)  # `make bench`; 204 (34 copies of the six real reports), 1,000 and 10,000 on request
EVAL = ROOT / "eval"
QUESTIONS = [
    "镜湖区2024年全区共调解矛盾纠纷多少件？",
    "淮安市2024年市政府网站主动公开各类政府信息多少条？",
    "光明区2021年共印发区政府规范性文件多少份？",
    "龙华区2019年以来共接到来电投诉多少宗？",
    "厦门2023年市属国有企业资产总额增长多少？",
    "安徽省2025年量子计算研发平台有什么进展？",
    "行政复议案件办理情况如何？",
    "如何优化营商环境？",
    "样本7市2024年法治政府建设有哪些举措？",
    "政府信息公开申请办理情况",
]
QUERY_ROUNDS = 5
RECALL_QUERIES = 100


def rss_mb() -> float:
    """Current resident memory of this process (Linux)."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def rss_parts_mb() -> dict[str, int]:
    """Resident memory by kind (Linux): private (anonymous) and file pages mapped from the index,
    which the kernel can drop and read again."""
    parts = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("RssAnon:", "RssFile:")):
                name, value = line.split()[:2]
                parts[name.rstrip(":")] = round(int(value) / 1024)
    return parts


def rss_by_file_mb() -> dict[str, int]:
    """Resident memory of each mapped file (Linux smaps), largest first; anonymous memory under
    "[anon]"."""
    sizes: dict[str, int] = {}
    name = "[anon]"
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            head = line.split(maxsplit=6)
            if len(head) >= 5 and "-" in head[0] and not head[0].endswith(":"):
                name = Path(head[5].strip()).name if len(head) > 5 else "[anon]"
            elif head and head[0] == "Rss:":
                sizes[name] = sizes.get(name, 0) + int(head[1])
    return {k: round(v / 1024) for k, v in sorted(sizes.items(), key=lambda kv: -kv[1]) if v > 5120}


def top10_threshold(dense, rows, q, block: int = 65_536) -> float:  # type: ignore[no-untyped-def]
    """The exact 10th best cosine of `q` among `rows` (read a block at a time)."""
    import numpy as np

    best = np.zeros(0, dtype=np.float32)
    for start in range(0, len(rows), block):
        part = rows[start : start + block]
        best = np.concatenate([best, dense._take(part) @ q])
        if len(best) > 10:
            best = np.partition(best, len(best) - 10)[-10:]
    return float(np.min(best)) if len(best) >= 10 else -1.0


def filtered_recall(engine, questions: list[str]) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Recall@10 by score of the dense search under each routed question's own filter (those
    too wide for the exact search), for several caps on the extra lists probed."""
    import numpy as np

    from reportqa.answer.question import analyse
    from reportqa.search import dense as dense_module

    retriever = engine.retriever
    dense = retriever.dense
    if not dense.approximate:
        return {}
    cases = []
    for question in dict.fromkeys(questions):
        rows = retriever.allowed_rows(engine.route(analyse(question)))
        if rows is not None and len(rows) > dense_module.EXACT_MAX_ROWS:
            q = engine.query_vector(question, "hybrid")
            cases.append((rows, q, top10_threshold(dense, rows, q)))
    default = dense.filter_probe_factor
    out: dict[str, object] = {
        "questions": len(cases),
        "kept_share": [round(len(r) / len(engine.chunks), 3) for r, _, _ in cases][:40],
    }
    for factor in (1, 2, 4, 8, 10_000):
        dense.filter_probe_factor = factor
        found, search_ms = [], []
        for rows, q, tenth_best in cases:
            t0 = time.perf_counter()
            _, cosines = dense.search(q, 10, rows)
            search_ms.append((time.perf_counter() - t0) * 1000)
            found.append(float(np.mean(cosines[:10] >= tenth_best - 1e-6)))
        if cases:
            out[str(factor)] = {
                "recall@10": round(float(np.mean(found)), 4),
                "min": round(float(np.min(found)), 2),
                **spread(search_ms),
            }
    dense.filter_probe_factor = default
    return out


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def make_reports(count: int, folder: Path) -> list[Path]:
    """`count` report files: the real reports, then copies under new ids and places."""
    originals = sorted(SEEDS.glob("*.txt"))
    if count == 1:
        originals = [SEEDS / "jinghu-2024-fazhi.txt"]
    paths = []
    for k in range(count):
        source = originals[k % len(originals)]
        sidecar = source.with_name(source.stem + ".meta.json")
        meta = json.loads(sidecar.read_text(encoding="utf-8")) if sidecar.exists() else {}
        copy = k // len(originals)
        stem = source.stem if copy == 0 else f"{source.stem}-copy{copy}"
        if copy:
            meta["places"] = [f"样本{copy}市"]
        target = folder / f"{stem}.txt"
        shutil.copy(source, target)
        (folder / f"{stem}.meta.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
        paths.append(target)
    return paths


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def raw_throughput() -> dict[str, object]:
    """The embedder alone on the seed reports' passages: one process (1 and 2 BLAS threads) and
    one process per core, in report characters per second."""
    from reportqa.indexing.build import BATCH_CHUNKS
    from reportqa.indexing.embed import UseEmbedder
    from reportqa.indexing.parallel_embed import BatchEmbedder, default_workers
    from reportqa.ingest.parse import ChunkSettings, chunk_report, parse_report
    from reportqa.search.retrieve import search_text

    texts: list[str] = []
    chars = 0
    for path in sorted(SEEDS.glob("*.txt")) * 2:
        text = path.read_text(encoding="utf-8")
        title = parse_report(text).title
        chars += len(text)
        texts += [search_text(title, c) for c in chunk_report(path.stem, text, ChunkSettings())]
    batches = [texts[i : i + BATCH_CHUNKS] for i in range(0, len(texts), BATCH_CHUNKS)]
    result: dict[str, object] = {"passages": len(texts), "chars": chars}
    for threads in (1, 2):
        embedder = UseEmbedder(threads=threads)
        embedder.embed_passages(texts[:8])  # load the weights
        started = time.perf_counter()
        for batch in batches:
            embedder.embed_passages(batch)
        result[f"chars_per_s_1proc_{threads}threads"] = round(
            chars / (time.perf_counter() - started)
        )
    workers = default_workers()
    with BatchEmbedder(UseEmbedder(), workers=workers, start_after=0) as parallel:
        list(parallel.embed_in_order([(i, texts[:8]) for i in range(workers * 2)]))  # warm up
        started = time.perf_counter()
        list(parallel.embed_in_order(enumerate(batches)))
        result[f"chars_per_s_{workers}proc"] = round(chars / (time.perf_counter() - started))
    result["best_chars_per_s"] = max(v for k, v in result.items() if k.startswith("chars_per_s"))  # type: ignore[type-var]
    return result


class RepeatedTextEmbedder:
    """The real embedder, embedding each distinct passage once (bench only, sizes from
    `REUSE_FROM`): the copies of the six reports repeat their passages, so this measures
    everything in a large build except re-embedding the same text thousands of times, which
    would take hours on 2 cores and is measured at the smaller sizes."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.cache: dict[str, object] = {}

    def embed_passages(self, texts: list[str]):  # type: ignore[no-untyped-def]
        import numpy as np

        missing = [t for t in dict.fromkeys(texts) if t not in self.cache]
        if missing:
            self.cache.update(zip(missing, self.inner.embed_passages(missing), strict=True))
        return np.stack([self.cache[t] for t in texts]) if texts else self.inner.embed_passages([])

    def embed_query(self, text: str):  # type: ignore[no-untyped-def]
        return self.inner.embed_query(text)


REUSE_FROM = 1000


def build(count: int, index_dir: Path) -> dict[str, object]:
    """Build an index of `count` reports; runs in a fresh process."""
    from reportqa.indexing.build import build_index
    from reportqa.indexing.embed import load_embedder
    from reportqa.indexing.parallel_embed import default_workers
    from reportqa.ingest.parse import ChunkSettings
    from reportqa.ingest.report_sequence import ReportFiles

    folder = index_dir.parent / "reports"
    folder.mkdir()
    paths = make_reports(count, folder)
    chars = sum(len(p.read_text(encoding="utf-8")) for p in paths)
    started = time.perf_counter()
    embedder = load_embedder()
    repeated = count >= REUSE_FROM
    if repeated:
        embedder = RepeatedTextEmbedder(embedder)  # type: ignore[assignment]
    last = [time.perf_counter()]

    def progress(label: str, done: int, total: int) -> None:
        if time.perf_counter() - last[0] > 60:
            last[0] = time.perf_counter()
            print(
                f"  {label} {done}/{total} {last[0] - started:.0f} s", file=sys.stderr, flush=True
            )

    result = build_index(
        ReportFiles(paths),
        index_dir,
        embedder,
        ChunkSettings(),
        progress=progress,
        workers=1 if repeated else default_workers(),
    )
    build_s = time.perf_counter() - started
    index_bytes = sum(p.stat().st_size for p in index_dir.rglob("*") if p.is_file())
    settings = json.loads((index_dir / "dense.json").read_text(encoding="utf-8"))
    return {
        "reports": count,
        "chars": chars,
        "chunks": result.chunks,
        "build_s": round(build_s, 1),
        "chars_per_s": round(chars / build_s),
        "build_peak_mb": round(peak_mb()),
        "index_mb": round(index_bytes / 1e6, 1),
        "each_text_embedded_once": repeated,
        "dense": settings.get("kind"),
        "nprobe": settings.get("nprobe"),
    }


def replicated(count: int, source: Path, index_dir: Path) -> dict[str, object]:
    """Build an index of `count` reports copied from the real index `source` with its vectors
    (bench/replicate.py); runs in a fresh process."""
    sys.path.insert(0, str(ROOT / "bench"))
    from replicate import replicate

    started = time.perf_counter()
    result = replicate(source, count, index_dir, lambda s: print(f"  {s}", file=sys.stderr))
    build_s = time.perf_counter() - started
    index_bytes = sum(p.stat().st_size for p in index_dir.rglob("*") if p.is_file())
    manifest = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
    settings = json.loads((index_dir / "dense.json").read_text(encoding="utf-8"))
    return {
        "reports": count,
        "chars": sum(int(e["chars"]) for e in manifest["reports"].values()),
        "chunks": result["chunks"],
        "build_s": round(build_s, 1),
        "chars_per_s": None,
        "build_peak_mb": round(peak_mb()),
        "index_mb": round(index_bytes / 1e6, 1),
        "synthetic": (
            f"copies of the {result['source_reports']} reports of {source.name} with their "
            "real vectors; not parsed, chunked or embedded"
        ),
        "dense": settings.get("kind"),
        "nprobe": settings.get("nprobe"),
    }


def questions_for(engine) -> list[str]:  # type: ignore[no-untyped-def]
    """The evaluation questions about the indexed reports (or the fixed ones), at most 60."""
    found = []
    for split in ("dev", "test_corpus", "test"):
        path = EVAL / f"{split}.jsonl"
        if not path.exists():
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            if Path(str(item.get("report", ""))).stem in engine.reports:
                found.append(item["question"])
    picked = found[:: max(1, len(found) // 60)][:60] if len(found) >= 20 else QUESTIONS
    return picked + [q for q in QUESTIONS[6:8] if q not in picked]


def timed_asks(engine, questions: list[str], **kwargs: object) -> list[float]:  # type: ignore[no-untyped-def]
    latencies = []
    for _ in range(QUERY_ROUNDS):
        for question in questions:
            t0 = time.perf_counter()
            engine.ask(question, **kwargs)
            latencies.append((time.perf_counter() - t0) * 1000)
    return latencies


def timed_once(engine, question: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    answer = engine.ask(question)
    total = (time.perf_counter() - t0) * 1000
    return {"total": round(total, 1), **{k: round(v, 1) for k, v in answer.timings_ms.items()}}


def spread(latencies: list[float]) -> dict[str, float]:
    return {
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
    }


def dict_mb(mapping: dict[str, object]) -> float:
    """Memory of a str-keyed dict with its keys and small values (shared small ints counted)."""
    total = sys.getsizeof(mapping)
    total += sum(sys.getsizeof(k) + sys.getsizeof(v) for k, v in mapping.items())
    return round(total / 1e6, 1)


def serve(index_dir: Path) -> dict[str, object]:
    """Load the index and ask; runs in a fresh process."""
    import numpy as np

    from reportqa.indexing.embed import load_embedder

    embedder = load_embedder()
    embedder.embed_query("预热")
    base_mb = rss_mb()
    from reportqa.answer.question import analyse
    from reportqa.engine import Engine

    started = time.perf_counter()
    engine = Engine(index_dir, embedder=embedder)
    load_s = time.perf_counter() - started
    loaded_mb = rss_mb()
    questions = questions_for(engine)
    engine.ask(questions[0])  # first-use costs (jieba dictionary) are not latency
    routed = [q for q in questions if engine.route(analyse(q)) is not None]
    whole = [q for q in questions if q not in routed]
    latencies = timed_asks(engine, questions)
    unrouted = timed_asks(engine, whole) if whole else []
    # An explicit filter of a tenth of the reports (wide enough for the FAISS ID selector), on
    # the questions that name no place or year (one that does is refused outside its reports).
    ids = list(engine.reports)
    tenth = ids[::10] if len(ids) >= 20 else ids[:1]
    filtered = timed_asks(engine, whole or questions[:5], reports=tenth)
    slowest = sorted(((timed_once(engine, q), q) for q in questions), key=lambda t: t[0]["total"])
    asked_mb = rss_mb()
    asked_parts = rss_parts_mb()
    by_file = rss_by_file_mb()
    under_filters = filtered_recall(engine, questions)
    dense = engine.retriever.dense
    rng = np.random.default_rng(0)
    rows = rng.choice(len(engine.chunks), min(RECALL_QUERIES, len(engine.chunks)), replace=False)
    queries = embedder.embed_passages([engine.chunks[int(r)].text[:60] for r in rows])
    recall = {}
    nprobes = [dense.nprobe] if not dense.approximate else sorted({4, 8, 16, 32, dense.nprobe})
    default = dense.nprobe
    # The exact 10th best cosine of each query: a full pass each, once, not per nprobe.
    tenths = []
    for q in queries:
        exact = dense.scores(q)
        tenths.append(float(np.partition(exact, len(exact) - 10)[-10]))
    for nprobe in nprobes:
        dense.nprobe = nprobe
        found, search_ms = [], []
        for q, tenth_best in zip(queries, tenths, strict=True):
            t0 = time.perf_counter()
            _, cosines = dense.search(q, 10)
            search_ms.append((time.perf_counter() - t0) * 1000)
            # The cosines returned are exact (IVF candidates are re-scored from the vectors).
            found.append(float(np.mean(cosines >= tenth_best - 1e-6)))
        recall[str(nprobe)] = {
            "recall@10": round(float(np.mean(found)), 4),
            "search_p50_ms": round(statistics.median(search_ms), 2),
        }
    dense.nprobe = default
    # What the vocabularies would take as dicts (they are looked up on disk): measured after
    # the RSS above.
    vocab = json.loads((index_dir / "bm25" / "vocab.index.json").read_text(encoding="utf-8"))
    answer_df = json.loads((index_dir / "answer_terms.json").read_text(encoding="utf-8"))["df"]
    return {
        "load_s": round(load_s, 2),
        "serve_rss_mb": round(asked_mb),
        "serve_rss_anon_mb": asked_parts.get("RssAnon"),
        "serve_rss_file_mb": asked_parts.get("RssFile"),
        "serve_rss_by_file_mb": by_file,
        "filtered_recall": under_filters,
        "index_rss_mb": round(loaded_mb - base_mb),
        "serve_peak_mb": round(peak_mb()),
        "vocabulary_on_disk": type(engine.retriever.keyword._vocab).__name__ != "dict",
        "keyword_vocab_terms": len(vocab),
        "keyword_vocab_as_dict_mb": dict_mb(vocab),
        "answer_terms_as_dict_mb": dict_mb(answer_df),
        "questions": len(questions),
        "routed_questions": len(routed),
        **spread(latencies),
        "unrouted": {"questions": len(whole), **spread(unrouted)} if unrouted else None,
        "filter_tenth": {"reports": len(tenth), **spread(filtered)},
        "slowest": [{"question": q, **t} for t, q in slowest[-3:]],
        "recall": recall,
        "recall@10": recall[str(default)]["recall@10"],
    }


def run_json(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, *args], check=True, stdout=subprocess.PIPE, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(count: int, reuse: Path | None = None, keep: Path | None = None) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="reportqa-bench-", dir=keep) as tmp:
        index_dir = Path(tmp) / "index"
        if reuse is not None:
            row = run_json("--replicate", str(count), str(reuse.resolve()), str(index_dir))
        else:
            row = run_json("--build", str(count), str(index_dir))
        row.update(run_json("--serve", str(index_dir)))
    return row


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def table(rows: list[dict[str, object]], raw: dict[str, object]) -> str:
    lines = [
        "| reports | chars | chunks | build s | build chars/s | raw chars/s | build/raw "
        "| build peak MB | index load s | serve RSS MB | ask p50 ms | ask p95 ms "
        "| dense | recall@10 | index MB |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    best = int(raw["best_chars_per_s"])  # type: ignore[call-overload]
    for r in rows:
        if r.get("synthetic"):
            speed, share = "synthetic†", "–"
        elif r.get("each_text_embedded_once"):
            speed, share = f"{r['chars_per_s']:,}*", "–"
        elif not best:
            speed, share = f"{r['chars_per_s']:,}", "–"
        else:
            speed, share = f"{r['chars_per_s']:,}", format(int(r["chars_per_s"]) / best, ".0%")  # type: ignore[call-overload]
        lines.append(
            f"| {r['reports']:,} | {r['chars']:,} | {r['chunks']:,} | {r['build_s']} "
            f"| {speed} | {f'{best:,}' if best else '–'} | {share} "
            f"| {r['build_peak_mb']} | {r['load_s']} | {r['serve_rss_mb']} | {r['p50_ms']} "
            f"| {r['p95_ms']} | {r['dense']} | {r['recall@10']} | {r['index_mb']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", nargs=2, metavar=("COUNT", "INDEX_DIR"))
    parser.add_argument("--replicate", nargs=3, metavar=("COUNT", "SOURCE_INDEX", "INDEX_DIR"))
    parser.add_argument("--serve", metavar="INDEX_DIR")
    parser.add_argument("--raw", action="store_true", help="the embedder's raw throughput")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--no-raw", action="store_true", help="skip the raw throughput")
    parser.add_argument(
        "--reuse-vectors",
        type=Path,
        metavar="INDEX_DIR",
        help="build every size from copies of this real index's reports and vectors (synthetic)",
    )
    parser.add_argument(
        "--work-dir", type=Path, help="where the indexes are built (default: the temp folder)"
    )
    args = parser.parse_args()
    if args.build:
        print(json.dumps(build(int(args.build[0]), Path(args.build[1]))))
        return
    if args.replicate:
        count, source, target = args.replicate
        print(json.dumps(replicated(int(count), Path(source), Path(target))))
        return
    if args.serve:
        print(json.dumps(serve(Path(args.serve))))
        return
    if args.raw:
        print(json.dumps(raw_throughput()))
        return
    print("measuring the embedder's raw throughput…", file=sys.stderr, flush=True)
    # without the raw run there is nothing to divide by: the table shows "–" for raw and build/raw
    raw = run_json("--raw") if not args.no_raw else {"best_chars_per_s": 0}
    print(json.dumps(raw), file=sys.stderr, flush=True)
    rows = []
    for count in args.sizes:
        print(f"measuring {count} report(s)…", file=sys.stderr, flush=True)
        rows.append(measure(count, args.reuse_vectors, args.work_dir))
        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    header = (
        f"Machine: {machine()}; default embedder (USE multilingual v3); {time.strftime('%Y-%m-%d')}"
    )
    name = "scale-reused" if args.reuse_vectors else "scale"
    (OUT / f"{name}.json").write_text(
        json.dumps({"machine": machine(), "raw": raw, "rows": rows}, indent=2), encoding="utf-8"
    )
    notes = [
        f"* from {REUSE_FROM:,} reports each distinct passage is embedded once (copies repeat "
        "them): the build time there is everything but re-embedding repeated text."
    ]
    if args.reuse_vectors:
        notes.append(
            f"† SYNTHETIC: copies of the reports of {args.reuse_vectors} under new ids and "
            "places, each copy's vectors the real embeddings of its original, read from that "
            "index (bench/replicate.py); the build time excludes parsing, chunking and "
            "embedding."
        )
    markdown = (
        f"{header}\n\nEmbedder alone: {json.dumps(raw)}\n\n{table(rows, raw)}\n\n"
        + "\n".join(notes)
        + "\n"
    )
    (OUT / f"{name}.md").write_text(markdown, encoding="utf-8")
    print(markdown)


if __name__ == "__main__":
    main()
