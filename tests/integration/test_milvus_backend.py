"""The Milvus backend (Milvus Lite 2.5, the engine a Milvus server runs) against the embedded
FAISS + BM25 backend: the same passages, answers and citations on the evaluation questions; the
collection follows the index folder through removals and re-additions, writing only what changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from paths import EVAL_DIR, SEEDS
from reportqa.cli.main import main
from reportqa.engine import Engine
from reportqa.errors import IndexUnusableError
from reportqa.evaluation.runner import load_questions, partition_by_index
from reportqa.indexing.build import build_index, remove_reports
from reportqa.ingest.parse import ChunkSettings
from reportqa.ingest.read import read_report
from reportqa.search.milvus_backend import (
    BackendChoice,
    MilvusSettings,
    connect,
    open_milvus_backend,
    query_sparse,
    report_filter,
)
from reportqa.search.milvus_sync import bm25_rows, count_rows, sync_index
from reportqa.search.retrieve import KeywordIndex

# The evaluation questions about the six seed reports (and those naming no report), both splits.
QUESTIONS, _ = partition_by_index(
    [q for split in ("dev", "test") for q in load_questions(EVAL_DIR / f"{split}.jsonl")],
    [p.stem for p in SEEDS.glob("*.txt")],
)


def test_sparse_vectors_reproduce_bm25_scores(all_index: Path) -> None:
    """The rows sent to Milvus, dotted with a question's sparse vector, are the BM25 scores the
    embedded backend computes (repeated terms included)."""
    keyword = KeywordIndex.load(all_index)
    weights = bm25_rows(keyword)
    rows = [weights.of(i) for i in range(len(weights.starts) - 1)]
    for q in QUESTIONS[::9] + [QUESTIONS[0]]:
        question = q.question + q.question[:6]  # some terms twice
        sparse = query_sparse(question, keyword)
        assert max(sparse.values()) >= 2
        scores = [sum(w * sparse.get(t, 0.0) for t, w in row.items()) for row in rows]
        np.testing.assert_allclose(scores, keyword.scores(question), rtol=1e-5, atol=1e-6)
    assert query_sparse("zzzz", keyword) == {}


# --- against a real Milvus Lite -----------------------------------------------------------------


@pytest.fixture(scope="module")
def lite(tmp_path_factory: pytest.TempPathFactory) -> MilvusSettings:
    return MilvusSettings(uri=str(tmp_path_factory.mktemp("milvus") / "milvus.db"))


@pytest.fixture(scope="module")
def milvus_engine(all_index: Path, all_engine: Engine, lite: MilvusSettings) -> Engine:
    result = sync_index(all_index, lite)
    assert result.rows == len(all_engine.chunks) == result.rows_written
    engine = Engine(all_index, embedder=all_engine.embedder)
    BackendChoice("milvus", lite).apply(engine)
    assert engine.backend.name == "milvus"
    return engine


def _ids(engine: Engine, question: str, mode: str, reports: list[str] | None = None) -> list[int]:
    return [h.chunk_id for h in engine.retrieve(question, top_k=5, mode=mode, reports=reports)]  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["hybrid", "keyword", "dense"])
def test_same_top5_as_faiss_on_the_eval_questions(
    all_engine: Engine, milvus_engine: Engine, mode: str
) -> None:
    same = [
        _ids(all_engine, q.question, mode) == _ids(milvus_engine, q.question, mode)
        for q in QUESTIONS
    ]
    share = sum(same) / len(same)
    assert share >= 0.95, f"{mode}: identical top-5 for {share:.3f} of {len(same)} questions"


def test_same_answers_and_citations_as_faiss(all_engine: Engine, milvus_engine: Engine) -> None:
    def key(answer: Any) -> tuple[Any, ...]:
        data = answer.to_dict()
        cites = [
            (c["n"], c["report"], c["start"], c["end"], c["highlights"]) for c in data["citations"]
        ]
        return data["answer"], data["refused"], cites

    same = [
        key(all_engine.ask(q.question)) == key(milvus_engine.ask(q.question)) for q in QUESTIONS
    ]
    share = sum(same) / len(same)
    assert share >= 0.95, f"same answer and citations for {share:.3f} of {len(same)} questions"


def test_report_filter_is_applied_inside_milvus(all_engine: Engine, milvus_engine: Engine) -> None:
    only = ["shenzhen-longhua-2019-fazhi"]
    hits = milvus_engine.retrieve("行政复议", top_k=10, reports=only)
    assert hits and {h.chunk.report for h in hits} == set(only)
    assert [h.chunk_id for h in hits] == [
        h.chunk_id for h in all_engine.retrieve("行政复议", top_k=10, reports=only)
    ]


def test_similarity_statistics_match_the_embedded_backend(
    all_engine: Engine, milvus_engine: Engine
) -> None:
    query = all_engine.embedder.embed_query(QUESTIONS[5].question)
    faiss = all_engine.backend.candidates(QUESTIONS[5].question, query, None, 5, "hybrid")
    milvus = milvus_engine.backend.candidates(QUESTIONS[5].question, query, None, 5, "hybrid")
    assert faiss.similarity and milvus.similarity
    assert milvus.similarity.mean == pytest.approx(faiss.similarity.mean, abs=1e-5)
    assert milvus.similarity.std == pytest.approx(faiss.similarity.std, abs=1e-5)


# --- the collection follows the index folder ----------------------------------------------------


def test_remove_readd_and_change_write_only_what_changed(
    all_index: Path, all_engine: Engine, tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(all_index, index_dir)
    settings = MilvusSettings(uri=str(tmp_path / "own.db"), collection="follow")
    first = sync_index(index_dir, settings)
    assert first.rows_written == first.rows == len(all_engine.chunks)

    again = sync_index(index_dir, settings)
    assert (again.rows_written, again.rows_deleted, again.changed_reports) == (0, 0, [])

    gone = "shenzhen-longhua-2019-fazhi"
    gone_rows = sum(c.report == gone for c in all_engine.chunks)
    remove_reports(index_dir, [gone])
    removed = sync_index(index_dir, settings)
    assert removed.removed_reports == [gone]
    assert removed.rows_deleted == gone_rows
    assert removed.changed_reports == []
    # The other reports' keyword weights moved with the corpus; their rows were rewritten.
    assert 0 < removed.rows_reweighted == removed.rows_written
    client = connect(settings)
    try:
        assert count_rows(client, "follow") == removed.rows == first.rows - gone_rows
        assert client.query("follow", filter=report_filter({gone}), output_fields=["pk"]) == []
    finally:
        client.close()

    # Back again: only that report is embedded (by the build) and counted as changed.
    reports = [read_report(p) for p in sorted(SEEDS.glob("*.txt"))]
    built = build_index(reports, index_dir, all_engine.embedder, ChunkSettings())
    assert built.embedded_reports == [gone]
    back = sync_index(index_dir, settings)
    assert back.changed_reports == [gone] and back.removed_reports == []
    assert back.rows == first.rows
    assert back.rows_written - back.rows_reweighted == gone_rows

    # A changed report: its rows are replaced (stale keys deleted), the others only reweighted.
    edited_dir = tmp_path / "edited"
    edited_dir.mkdir()
    for name in (f"{gone}.txt", f"{gone}.meta.json"):
        shutil.copy(SEEDS / name, edited_dir / name)
    edited = edited_dir / f"{gone}.txt"
    added = "全年新增行政应诉培训12场。"
    text = edited.read_text("utf-8")
    assert text.count("全面提升行政应诉能力。") == 1
    edited.write_text(
        text.replace("全面提升行政应诉能力。", "全面提升行政应诉能力。" + added), "utf-8"
    )
    others = [read_report(p) for p in sorted(SEEDS.glob("*.txt")) if p.stem != gone]
    built = build_index(
        [*others, read_report(edited)], index_dir, all_engine.embedder, ChunkSettings()
    )
    assert built.embedded_reports == [gone]
    changed = sync_index(index_dir, settings)
    assert changed.changed_reports == [gone] and changed.rows_deleted >= 1
    client = connect(settings)
    try:
        assert count_rows(client, "follow") == changed.rows
        rows = client.query("follow", filter=report_filter({gone}), output_fields=["text"])
        assert sum(added in row["text"] for row in rows) >= 1
    finally:
        client.close()

    faiss = Engine(index_dir, embedder=all_engine.embedder)
    engine = Engine(index_dir, embedder=all_engine.embedder)
    BackendChoice("milvus", settings).apply(engine)
    try:
        for q in [*QUESTIONS[::25], *(q for q in QUESTIONS if q.report_id == gone)]:
            assert _ids(engine, q.question, "hybrid") == _ids(faiss, q.question, "hybrid")
    finally:
        engine.backend.client.close()  # type: ignore[attr-defined]


def test_a_collection_out_of_step_is_refused(
    all_index: Path, all_engine: Engine, tmp_path: Path
) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(all_index, index_dir)
    settings = MilvusSettings(uri=str(tmp_path / "stale.db"), collection="stale")
    engine = Engine(index_dir, embedder=all_engine.embedder)
    with pytest.raises(IndexUnusableError, match="No Milvus collection"):
        open_milvus_backend(engine, settings)
    sync_index(index_dir, settings)
    remove_reports(index_dir, ["shenzhen-longhua-2019-fazhi"])  # not synced
    engine = Engine(index_dir, embedder=all_engine.embedder)
    with pytest.raises(IndexUnusableError, match="reportqa index --backend milvus"):
        open_milvus_backend(engine, settings)


def test_command_line_index_then_ask(all_index: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(all_index, index_dir)
    db = tmp_path / "cli.db"
    runner = CliRunner()
    env = {"REPORTQA_MILVUS_URI": str(db)}
    built = runner.invoke(
        main, ["index", str(SEEDS), "--index-dir", str(index_dir), "--backend", "milvus"], env=env
    )
    assert built.exit_code == 0, built.output
    assert "Milvus collection reportqa_index" in built.output
    question = "2024年镜湖区全区新收行政复议案件多少件？"
    asked = runner.invoke(
        main,
        ["ask", "--index-dir", str(index_dir), "--backend", "milvus", "--json", question],
        env=env,
    )
    assert asked.exit_code == 0, asked.output
    data = json.loads(asked.output)
    assert "120件" in data["answer"] and not data["refused"]
    text = (index_dir / "reports" / f"{data['citations'][0]['report']}.txt").read_text("utf-8")
    first = data["citations"][0]
    assert text[first["start"] : first["end"]] == first["text"]

    bad = runner.invoke(
        main,
        [
            "ask",
            "--index-dir",
            str(index_dir),
            "--backend",
            "milvus",
            "--milvus-uri",
            "milvus",
            question,
        ],
    )
    assert bad.exit_code == 2 and "neither a server address" in bad.output
