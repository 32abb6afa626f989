"""Shared by every folder: the kind marker of each test (unit, integration, e2e: its folder), no
model hub, the bundled embedder loaded once, the one index builder, and the seed indexes built once
per session with it.

tests/unit: pure logic, no model, no index on disk, no server (tests/unit/conftest.py enforces it).
tests/integration: the real model, real FAISS indexes, the CLI in-process or in a subprocess.
tests/e2e: a real `reportqa serve` (Gradio and REST API) and Debian's Chromium."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from paths import SEED_REPORT, SEEDS

if TYPE_CHECKING:  # the fixtures import the heavy modules only when a test asks for them
    from reportqa.engine import Engine
    from reportqa.indexing.embed import Embedder

# Each folder is one kind of test; its name is also its marker, so `-m unit` works as well as
# `pytest tests/unit`.
KINDS = ("unit", "integration", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        kind = Path(str(item.path)).parent.name
        if kind in KINDS:
            item.add_marker(kind)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Models must load from disk: any attempt to reach a model hub is a failure."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    monkeypatch.setenv("GRADIO_ANALYTICS_ENABLED", "False")


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The bundled embedder (USE multilingual v3), loaded once for the whole run."""
    from reportqa.indexing.embed import load_embedder

    return load_embedder()


@pytest.fixture(scope="session")
def build_reports(embedder: Embedder) -> Callable[[list[Path], Path], Path]:
    """The one index builder of the suite: `build_reports(report_files, index_dir)` builds a real
    index (FAISS + BM25) with the session's embedder and default chunking, and returns its folder."""

    def build(reports: list[Path], index_dir: Path) -> Path:
        from reportqa.indexing.build import build_index
        from reportqa.ingest.parse import ChunkSettings
        from reportqa.ingest.read import read_report

        build_index([read_report(p) for p in reports], index_dir, embedder, ChunkSettings())
        return index_dir

    return build


@pytest.fixture(scope="session")
def seed_index(
    build_reports: Callable[[list[Path], Path], Path], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """An index of the seed report alone. Shared: copy it before changing it."""
    return build_reports([SEED_REPORT], tmp_path_factory.mktemp("seed") / "index")


@pytest.fixture(scope="session")
def all_index(
    build_reports: Callable[[list[Path], Path], Path], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """An index of every report in seeds/. Shared: copy it before changing it."""
    return build_reports(sorted(SEEDS.glob("*.txt")), tmp_path_factory.mktemp("all") / "index")


@pytest.fixture(scope="session")
def all_engine(all_index: Path, embedder: Embedder) -> Engine:
    from reportqa.engine import Engine

    return Engine(all_index, embedder=embedder)


@pytest.fixture()
def eval_dir(tmp_path: Path) -> Path:
    """A folder with two small question files, dev.jsonl and test.jsonl, about the seed report."""
    from split_files import DEV, TEST, write_jsonl

    folder = tmp_path / "eval"
    folder.mkdir()
    write_jsonl(folder / "dev.jsonl", DEV)
    write_jsonl(folder / "test.jsonl", TEST)
    return folder
