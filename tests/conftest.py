"""Shared fixtures: real indexes built once per test session with the bundled embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

from paths import SEED_REPORT, SEEDS

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


def _build(reports: list[Path], index_dir: Path) -> Path:
    from reportqa.indexing.build import build_index
    from reportqa.indexing.embed import load_embedder
    from reportqa.ingest.parse import ChunkSettings
    from reportqa.ingest.read import read_report

    build_index([read_report(p) for p in reports], index_dir, load_embedder(), ChunkSettings())
    return index_dir


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the seed report alone."""
    return _build([SEED_REPORT], tmp_path_factory.mktemp("seed") / "index")


@pytest.fixture(scope="session")
def all_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of every report in seeds/."""
    return _build(sorted(SEEDS.glob("*.txt")), tmp_path_factory.mktemp("all") / "index")


@pytest.fixture(scope="session")
def all_engine(all_index: Path):  # type: ignore[no-untyped-def]
    from reportqa.engine import Engine

    return Engine(all_index)


@pytest.fixture()
def eval_dir(tmp_path: Path) -> Path:
    """A folder with two small question files, dev.jsonl and test.jsonl, about the seed report."""
    from split_files import DEV, TEST, write_jsonl

    folder = tmp_path / "eval"
    folder.mkdir()
    write_jsonl(folder / "dev.jsonl", DEV)
    write_jsonl(folder / "test.jsonl", TEST)
    return folder
