"""Start `reportqa serve` in a subprocess and wait until it says it is ready (for API tests)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def reportqa_command() -> str:
    beside = Path(sys.executable).with_name("reportqa")
    return str(beside) if beside.exists() else (shutil.which("reportqa") or "reportqa")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_cli(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [reportqa_command(), *args], capture_output=True, text=True, timeout=timeout
    )


@dataclass
class Server:
    url: str  # without a trailing slash
    pid: int
    lines: list[str]  # what it printed so far


@contextmanager
def served(*args: str, ready_s: float = 120) -> Iterator[Server]:
    """A running `reportqa serve ARGS` on 127.0.0.1, once it says it is ready."""
    port = free_port()
    proc = subprocess.Popen(
        [reportqa_command(), "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    )
    seen: list[str] = []
    assert proc.stdout is not None
    stdout = proc.stdout

    def pump() -> None:
        for line in stdout:
            seen.append(line)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + ready_s
    try:
        while True:
            if any("REST API:" in line for line in seen):
                break
            assert proc.poll() is None, f"server exited: {''.join(seen)}"
            assert time.monotonic() < deadline, f"server not ready: {''.join(seen)}"
            time.sleep(0.2)
        yield Server(f"http://127.0.0.1:{port}", proc.pid, seen)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
