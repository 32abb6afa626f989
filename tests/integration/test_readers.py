"""Readers change nothing: listing or serving an index leaves every folder as it found it; the
folders a killed build left are put right by the next command that writes the index."""

from __future__ import annotations

import json
import logging
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from paths import SEED_REPORT
from reportqa.cli.main import main
from reportqa.engine import Engine
from reportqa.errors import IndexUnusableError
from reportqa.indexing.embed import Embedder

DEAD_PID = 2**22 + 1  # above Linux's largest pid: no process has it


def _killed_mid_swap(seed_index: Path, root: Path) -> Path:
    """An index whose swap died between its two renames (only `index.old` is there), beside the
    temporary folder of a build whose process is gone."""
    shutil.copytree(seed_index, root / "index.old")
    (root / f".index.building-{DEAD_PID}-x1").mkdir()
    return root / "index"


def _listing(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir())


def test_reports_and_serving_rename_nothing(
    seed_index: Path, tmp_path: Path, embedder: Embedder
) -> None:
    index_dir = _killed_mid_swap(seed_index, tmp_path)
    before = _listing(tmp_path)
    listed = CliRunner().invoke(main, ["reports", "--index-dir", str(index_dir)])
    assert listed.exit_code == 0, listed.output
    assert "jinghu-2024-fazhi" in listed.output  # read from the previous index
    assert _listing(tmp_path) == before
    engine = Engine(index_dir, embedder=embedder)
    assert set(engine.reports) == {"jinghu-2024-fazhi"}
    assert _listing(tmp_path) == before


def test_the_next_build_puts_the_previous_index_back(seed_index: Path, tmp_path: Path) -> None:
    index_dir = _killed_mid_swap(seed_index, tmp_path)
    built = CliRunner().invoke(main, ["index", str(SEED_REPORT), "--index-dir", str(index_dir)])
    assert built.exit_code == 0, built.output
    assert _listing(tmp_path) == [".index.lock", "index"]


def test_reading_a_pdf_leaves_the_logging_setup_alone(tmp_path: Path) -> None:
    from report_files import write_pdf
    from reportqa.ingest.formats import read_pdf

    pdf = write_pdf("某区人民政府工作报告\n一、总体情况\n全年办理案件120件。\n", tmp_path / "a.pdf")
    logger = logging.getLogger("pypdf")
    logger.setLevel(logging.INFO)
    try:
        assert "120件" in read_pdf(pdf).text
        assert logger.level == logging.INFO
    finally:
        logger.setLevel(logging.NOTSET)


def test_loading_an_embedder_leaves_the_environment_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("sentence_transformers")
    from reportqa.errors import ModelUnavailableError
    from reportqa.indexing.embed import SentenceTransformerEmbedder

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    with pytest.raises(ModelUnavailableError):
        SentenceTransformerEmbedder(str(tmp_path / "no-model-here"))
    assert "HF_HUB_OFFLINE" not in os.environ and "TRANSFORMERS_OFFLINE" not in os.environ


def _as_built_before_the_term_table(seed_index: Path, index_dir: Path) -> None:
    """The seed index as builds wrote it before the keyword term table: the answer step's counts
    in answer_terms.json only."""
    shutil.copytree(seed_index, index_dir)
    for path in (index_dir / "bm25").glob("terms.*"):
        path.unlink()
    path = index_dir / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["files"] = {k: v for k, v in manifest["files"].items() if "/terms." not in k}
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")


def test_an_older_index_loads_and_the_next_build_adds_the_term_table(
    seed_index: Path, tmp_path: Path, embedder: Embedder
) -> None:
    from reportqa.indexing.build import build_index
    from reportqa.ingest.parse import ChunkSettings
    from reportqa.ingest.read import read_report

    index_dir = tmp_path / "index"
    _as_built_before_the_term_table(seed_index, index_dir)
    current = Engine(seed_index, embedder=embedder)
    older = Engine(index_dir, embedder=embedder)
    for term in ["行政复议", "120|件", "2024|年", "镜湖区", "不在索引里的词"]:
        assert older.weights(term) == current.weights(term)
    question = "2024年全区新收行政复议案件多少件？"
    assert older.ask(question).answer == current.ask(question).answer
    report = read_report(SEED_REPORT)
    result = build_index([report], index_dir, embedder, ChunkSettings())
    assert result.changed and result.embedded_reports == []  # its vectors are kept
    assert (index_dir / "bm25" / "terms.answer_df.npy").exists()


def test_opening_an_index_counts_no_chunk(
    seed_index: Path, tmp_path: Path, embedder: Embedder
) -> None:
    """Without its stored counts an index is damaged (the next build writes them again); it is
    not re-tokenised at every load."""
    index_dir = tmp_path / "index"
    _as_built_before_the_term_table(seed_index, index_dir)
    (index_dir / "answer_terms.json").unlink()
    with pytest.raises(IndexUnusableError, match="damaged.*--index-dir"):
        Engine(index_dir, embedder=embedder)
