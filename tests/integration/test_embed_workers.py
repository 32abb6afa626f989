"""The embedding processes of a build end with it, even when the build is killed outright."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from paths import ROOT, SEEDS


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the parent pid is the second field after the command in parentheses
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.append(pid)
    return alive


def test_workers_exit_when_the_build_is_killed(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    reports.mkdir()
    text = (SEEDS / "anhui-2026-zfgzbg.txt").read_text(encoding="utf-8")
    for k in range(12):  # ten or more to embed: the processes start at once
        (reports / f"copy-{k:02d}.txt").write_text(text, encoding="utf-8")
    build = subprocess.Popen(
        [sys.executable, "-c", "from reportqa.cli.main import main; main()", "index"]
        + [str(reports), "--index-dir", str(tmp_path / "index")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src"), "REPORTQA_EMBED_WORKERS": "2"},
    )
    try:
        deadline = time.monotonic() + 120
        workers: list[int] = []
        while len(workers) < 2 and time.monotonic() < deadline and build.poll() is None:
            time.sleep(0.5)
            workers = [
                pid
                for pid in _children(build.pid)
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
            ]
        assert len(workers) >= 2, "the build did not start its embedding processes"
        build.send_signal(signal.SIGKILL)
        build.wait(timeout=30)
        deadline = time.monotonic() + 20
        while _alive(workers) and time.monotonic() < deadline:
            time.sleep(0.5)
        left = _alive(workers)
    finally:
        if build.poll() is None:
            build.kill()
    for pid in left:  # do not leave them running if the check fails
        os.kill(pid, signal.SIGKILL)
    assert not left, f"embedding processes still running after the build was killed: {left}"
