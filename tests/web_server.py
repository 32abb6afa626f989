"""A `reportqa serve` process for browser tests: started, stopped and restarted on one port."""

from __future__ import annotations

import os
import queue
import subprocess
import threading
import time
from pathlib import Path

from served import free_port, reportqa_command

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


reportqa = reportqa_command


class Served:
    """`reportqa serve` on a fixed port; `restart()` stops it and starts a new process there."""

    def __init__(self, index_dir: Path, env: dict[str, str], timeout_s: float = 120) -> None:
        self.index_dir = index_dir
        self.env = {**os.environ, **env}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.timeout_s = timeout_s
        self.proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        cmd = [reportqa(), "serve", "--port", str(self.port), "--index-dir", str(self.index_dir)]
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            env=self.env,
        )
        self.proc = proc
        lines: queue.Queue[str] = queue.Queue()
        assert proc.stdout is not None
        stdout = proc.stdout

        def pump() -> None:
            for line in stdout:
                lines.put(line)

        threading.Thread(target=pump, daemon=True).start()
        seen: list[str] = []
        deadline = time.monotonic() + self.timeout_s
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.5)
            except queue.Empty:
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited: {''.join(seen)}") from None
                continue
            seen.append(line)
            if "ready at http://" in line:
                return
        raise RuntimeError(f"server not ready in {self.timeout_s} s: {''.join(seen)}")

    def stop(self) -> None:
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()
