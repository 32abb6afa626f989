"""Fixtures of the end-to-end tests: the two-report index built once through `reportqa index` (each
module serves its own copy, since some change it), and `reportqa ask --json` started beside the
server so that the API's answer can be compared with the command line's."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from paths import SEEDS
from served import reportqa_command, run_cli

TWO_REPORTS = [SEEDS / "jinghu-2024-fazhi.txt", SEEDS / "huaian-2024-xxgk-nianbao.txt"]
QUESTION = "2024年镜湖区全区新收行政复议案件多少件？"


@pytest.fixture(scope="session")
def two_report_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 镜湖区 and 淮安市 reports indexed by the command line, as a user would. Read-only:
    tests take `index_dir`, a copy of it."""
    out = tmp_path_factory.mktemp("two-reports") / "index"
    result = run_cli("index", *map(str, TWO_REPORTS), "--index-dir", str(out))
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def index_dir(two_report_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This module's own copy of the two-report index, in a folder of its own (uploads go beside
    it), so that a module that rebuilds or uploads changes nobody else's index."""
    return Path(shutil.copytree(two_report_index, tmp_path_factory.mktemp("served") / "index"))


@pytest.fixture(scope="module")
def cli_answer(index_dir: Path) -> Iterator[subprocess.Popen[str]]:
    """`reportqa ask --json` on QUESTION, started before the server so that both load at once."""
    proc = subprocess.Popen(
        [reportqa_command(), "ask", QUESTION, "--json", "--index-dir", str(index_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.communicate()
