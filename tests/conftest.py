"""Shared fixtures: real indexes built once per test session with the bundled embedder."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_REPORT = SEEDS / "jinghu-2024-fazhi.txt"


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
