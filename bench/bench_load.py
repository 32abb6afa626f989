"""Load on a served chat: many concurrent clients through the REST API and the Gradio client.

Starts `reportqa serve` on 127.0.0.1 over an index of the seed reports, then for each path runs
CLIENTS concurrent clients that each ask QUESTIONS questions in turn (taken from eval/dev.jsonl and
eval/test.jsonl), and reports errors, latency p50/p95, throughput, the server's resident memory
before and after, and the CPU time spent per question by the server and by the clients
(both run on this machine, so client CPU is CPU the server did not get).

    .venv/bin/python bench/bench_load.py [--clients 50] [--questions 10] [--paths rest,gradio]

Results go to bench/out/load.json. Bounded: at most --clients x --questions requests per path,
each with a 120 s timeout, against 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from served import run_cli, served  # noqa: E402

OUT = ROOT / "bench" / "out"
TIMEOUT_S = 120.0
SEQUENTIAL = 30  # questions asked by a lone client, for the per-request cost without queueing


def questions() -> list[str]:
    """The dev and test questions about the six seed reports (the ones the served index holds)."""
    seeds = {path.name for path in (ROOT / "seeds").glob("*.txt")}
    rows = [
        json.loads(line)
        for name in ("dev.jsonl", "test.jsonl")
        for line in (ROOT / "eval" / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return [row["question"] for row in rows if row.get("report") in seeds]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


def summary(latencies: list[float], errors: int, wall_s: float) -> dict[str, Any]:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else 0.0

    done = len(latencies)
    return {
        "requests": done + errors,
        "errors": errors,
        "p50_ms": round(pct(0.50), 1),
        "p95_ms": round(pct(0.95), 1),
        "max_ms": round(max(ordered) * 1000, 1) if ordered else 0.0,
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1) if ordered else 0.0,
        "wall_s": round(wall_s, 2),
        "questions_per_s": round(done / wall_s, 1) if wall_s else 0.0,
    }


async def _rest_client(
    host: str, port: int, asked: list[str], latencies: list[float], errors: list[str]
) -> None:
    """One client on one keep-alive connection, asking its questions in turn (plain HTTP/1.1,
    so that the client costs as little CPU as possible)."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for question in asked:
            body = json.dumps({"question": question}, ensure_ascii=False).encode()
            request = (
                f"POST /api/ask HTTP/1.1\r\nHost: {host}:{port}\r\n"
                "Content-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            started = time.perf_counter()
            writer.write(request)
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT_S)
            status = int(head.split(b" ", 2)[1])
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            payload = await reader.readexactly(length)
            elapsed = time.perf_counter() - started
            if status != 200 or b'"answer"' not in payload:
                errors.append(f"{status} {payload[:120]!r}")
            else:
                latencies.append(elapsed)
    except Exception as exc:  # a dropped connection counts as errors for what was left
        errors.append(repr(exc))
    finally:
        writer.close()


def run_rest(
    url: str, clients: int, per_client: int, pool: list[str], start: Any = None
) -> dict[str, Any]:
    host, port = url.split("//", 1)[1].split(":")
    latencies: list[float] = []
    errors: list[str] = []

    async def main() -> None:
        await asyncio.gather(
            *(
                _rest_client(
                    host,
                    int(port),
                    [pool[(c * per_client + i) % len(pool)] for i in range(per_client)],
                    latencies,
                    errors,
                )
                for c in range(clients)
            )
        )

    if start is not None:
        start()
    started = time.perf_counter()
    asyncio.run(main())
    result = summary(latencies, len(errors), time.perf_counter() - started)
    result["error_samples"] = errors[:3]
    return result


def run_gradio(
    url: str, clients: int, per_client: int, pool: list[str], start: Any = None
) -> dict[str, Any]:
    latencies, errors, wall_s = _gradio_clients(url, range(clients), per_client, pool, start)
    result = summary(latencies, len(errors), wall_s)
    result["error_samples"] = errors[:3]
    return result


def _gradio_clients(
    url: str, numbers: range, per_client: int, pool: list[str], go: Any = None
) -> tuple[list[float], list[str], float]:
    """Clients `numbers` on one gradio_client.Client; (latencies, errors, wall seconds)."""
    from gradio_client import Client

    client = Client(url + "/", verbose=False, download_files=False, analytics_enabled=False)
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    if go is not None:
        go()  # the client is connected (its setup is not measured); every process starts now

    def one_client(c: int) -> None:
        for i in range(per_client):
            question = pool[(c * per_client + i) % len(pool)]
            started = time.perf_counter()
            try:
                result = client.submit(question, None, api_name="/ask").result(timeout=TIMEOUT_S)
                ok = isinstance(result, dict) and "answer" in result
            except Exception as exc:
                ok = False
                with lock:
                    errors.append(repr(exc)[:200])
            elapsed = time.perf_counter() - started
            if ok:
                with lock:
                    latencies.append(elapsed)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, len(numbers))) as workers:
        list(workers.map(one_client, numbers))
    wall_s = time.perf_counter() - started
    client.close()
    return latencies, errors, wall_s


def run_gradio_processes(
    url: str,
    clients: int,
    per_client: int,
    pool: list[str],
    start: Any = None,
    processes: int = 5,
) -> dict[str, Any]:
    """The Gradio path with its clients spread over several processes, to tell the cost of the
    client library (one Python process, one GIL) from the server's."""
    processes = min(processes, clients)
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                __file__,
                "--worker",
                url,
                str(first),
                str(clients),
                str(per_client),
                str(processes),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for first in range(processes)
    ]
    for worker in workers:  # each says "ready" once its client is connected
        assert worker.stdout is not None
        worker.stdout.readline()
    if start is not None:
        start()
    started = time.perf_counter()
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    latencies: list[float] = []
    errors: list[str] = []
    cpu = 0.0
    for worker in workers:
        out, _ = worker.communicate(timeout=TIMEOUT_S * per_client)
        data = json.loads(out.strip().splitlines()[-1])
        latencies += data["latencies"]
        errors += data["errors"]
        cpu += data["cpu_s"]
    result = summary(latencies, len(errors), time.perf_counter() - started)
    result["error_samples"] = errors[:3]
    result["client_cpu_s"] = cpu  # the workers' own, counted from their start
    return result


def worker_main(argv: list[str]) -> None:
    """One process of run_gradio_processes: clients first, first+step, ... of `clients`."""
    url, first, clients, per_client, step = argv[0], *map(int, argv[1:5])

    cpu_at_start = [0.0]

    def ready_then_wait() -> None:
        print("ready", flush=True)
        sys.stdin.readline()
        cpu_at_start[0] = time.process_time()

    latencies, errors, _ = _gradio_clients(
        url, range(first, clients, step), per_client, questions(), ready_then_wait
    )
    cpu_s = time.process_time() - cpu_at_start[0]
    print(json.dumps({"latencies": latencies, "errors": errors, "cpu_s": cpu_s}))


def measure(name: str, run: Any, pid: int) -> dict[str, Any]:
    """Run `run(start)`, which calls `start()` once its clients are set up; CPU and memory are
    counted from there."""
    before: dict[str, float] = {}

    def start() -> None:
        before.update(rss=rss_mb(pid), server=cpu_s(pid), client=time.process_time())

    result = run(start)
    server_cpu = cpu_s(pid) - before["server"]
    client_cpu = result.pop("client_cpu_s", None) or (time.process_time() - before["client"])
    rss_before = before["rss"]
    done = max(1, result["requests"] - result["errors"])
    result.update(
        path=name,
        rss_before_mb=round(rss_before, 0),
        rss_after_mb=round(rss_mb(pid), 0),
        server_cpu_ms_per_q=round(server_cpu / done * 1000, 1),
        client_cpu_ms_per_q=round(client_cpu / done * 1000, 1),
        # Other work on the machine competes for the same cores: the 1-minute load average.
        load_avg=round(os.getloadavg()[0], 1),
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--questions", type=int, default=10, help="per client")
    parser.add_argument("--paths", default="rest,gradio,gradio-5proc")
    parser.add_argument("--index-dir", type=Path, default=OUT / "load-index")
    args = parser.parse_args()
    if not 1 <= args.clients <= 200 or not 1 <= args.questions <= 50:
        parser.error("keep the load bounded: 1-200 clients, 1-50 questions each")
    OUT.mkdir(parents=True, exist_ok=True)
    built = run_cli("index", str(ROOT / "seeds"), "--index-dir", str(args.index_dir), timeout=600)
    if built.returncode != 0:
        raise SystemExit(built.stderr)
    pool = questions()
    results = []
    with served("--index-dir", str(args.index_dir)) as server:
        url, pid = server.url, server.pid
        time.sleep(3)  # let the warm-up answer finish
        for name in args.paths.split(","):
            run = {"rest": run_rest, "gradio": run_gradio, "gradio-5proc": run_gradio_processes}[
                name
            ]
            # A short warm-up round on this path first (connections, lazy imports).
            run(url, 4, 2, pool)
            # One client alone shows the fixed cost per request; then the load.
            rounds = [(1, SEQUENTIAL)] if name in ("rest", "gradio") else []
            for clients, per_client in [*rounds, (args.clients, args.questions)]:
                result = measure(
                    name,
                    lambda start, run=run, c=clients, q=per_client: run(url, c, q, pool, start),
                    pid,
                )
                result["clients"] = clients
                results.append(result)
                print(json.dumps(result, ensure_ascii=False), flush=True)
    report = {
        "clients": args.clients,
        "questions_per_client": args.questions,
        "machine": f"{os.cpu_count()} cores, Python {sys.version.split()[0]}",
        "api_threads": os.environ.get("REPORTQA_API_THREADS", "default"),
        "results": results,
    }
    (OUT / "load.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(
        "| path | clients | requests | errors | p50 ms | p95 ms | questions/s | server CPU ms/q | "
        "client CPU ms/q | RSS before → after MB | load avg |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['path']} | {r['clients']} | {r['requests']} | {r['errors']} | {r['p50_ms']} | "
            f"{r['p95_ms']} | "
            f"{r['questions_per_s']} | {r['server_cpu_ms_per_q']} | {r['client_cpu_ms_per_q']} | "
            f"{r['rss_before_mb']:.0f} → {r['rss_after_mb']:.0f} | {r['load_avg']} |"
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker_main(sys.argv[2:])
    else:
        main()
