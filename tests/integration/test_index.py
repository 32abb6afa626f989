"""The index on disk: round trip, no-op rebuilds, refusals of mismatched or damaged indexes,
and atomic swaps. Reading report files: tests/unit/test_read_errors.py."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from paths import SEED_REPORT
from reportqa.engine import Engine
from reportqa.errors import IndexUnusableError
from reportqa.indexing import store
from reportqa.indexing.build import build_index
from reportqa.ingest.parse import ChunkSettings
from reportqa.ingest.read import read_report


@pytest.fixture
def built(tmp_path: Path, build_reports) -> Path:  # type: ignore[no-untyped-def]
    """A fresh index of the seed report, for a test to change or damage."""
    return build_reports([SEED_REPORT], tmp_path / "index")


def test_round_trip_keeps_exact_offsets_and_plain_files(built: Path) -> None:
    files = store.read_index(built)
    text = SEED_REPORT.read_text(encoding="utf-8")
    assert files.texts["jinghu-2024-fazhi"] == text
    assert all(text[c.start : c.end] == c.text for c in files.chunks)
    manifest = json.loads((built / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["format_version"] == store.FORMAT_VERSION
    assert manifest["embedder"] == {"name": "use-multilingual-v3", "dim": 512}
    assert manifest["reports"]["jinghu-2024-fazhi"]["title"].startswith("镜湖区人民政府")
    assert len(files.vectors) == len(files.chunks) == manifest["chunk_count"]
    assert np.allclose(np.linalg.norm(files.vectors, axis=1), 1.0, atol=1e-4)
    for name in [
        "chunks.jsonl",
        "chunk_offsets.npy",
        "dense.faiss",
        "vectors.npy",
        "bm25",
        "reports",
    ]:
        assert (built / name).exists()


def test_unchanged_rebuild_does_nothing(built: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    before = (built / "manifest.json").stat().st_mtime_ns
    result = build_index([read_report(SEED_REPORT)], built, embedder, ChunkSettings())
    assert not result.changed
    assert (built / "manifest.json").stat().st_mtime_ns == before


def test_changed_settings_rebuild(built: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    result = build_index([read_report(SEED_REPORT)], built, embedder, ChunkSettings(max_chars=120))
    assert result.changed
    assert result.embedded_reports == ["jinghu-2024-fazhi"]


def test_index_built_with_another_embedder_is_refused(built: Path) -> None:
    with pytest.raises(IndexUnusableError, match="built with the embedder"):
        Engine(built, embedder_name="BAAI/bge-small-zh-v1.5")


def test_other_format_version_is_refused(built: Path) -> None:
    path = built / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest["format_version"] = 999
    path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(IndexUnusableError, match="format version 999"):
        Engine(built)


@pytest.mark.parametrize("damage", ["manifest", "chunks", "faiss", "report_text"])
def test_damaged_index_gives_a_clear_error(built: Path, damage: str) -> None:
    if damage == "manifest":
        (built / "manifest.json").write_text("{not json", encoding="utf-8")
    elif damage == "chunks":
        (built / "chunks.jsonl").write_text('{"report": "x"}\n', encoding="utf-8")
    elif damage == "faiss":
        (built / "dense.faiss").write_bytes(b"garbage")
    else:
        path = built / "reports" / "jinghu-2024-fazhi.txt"
        path.write_text("改过的" + path.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(IndexUnusableError, match=r"reportqa index .+ --index-dir .+ --force"):
        Engine(built)


def test_missing_index_says_how_to_build_it(tmp_path: Path) -> None:
    with pytest.raises(IndexUnusableError, match="reportqa index"):
        Engine(tmp_path / "nowhere")


def test_crash_during_build_leaves_previous_index_whole(
    built: Path,
    embedder,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    before = (built / "chunks.jsonl").read_text(encoding="utf-8")

    def crash(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("reportqa.indexing.index_writer.finish_keyword_index", crash)
    with pytest.raises(KeyboardInterrupt):
        build_index([read_report(SEED_REPORT)], built, embedder, ChunkSettings(max_chars=90))
    assert (built / "chunks.jsonl").read_text(encoding="utf-8") == before
    assert not [p for p in built.parent.iterdir() if p.name.startswith(".index.building")]
    assert Engine(built).ask("2024年全区新收行政复议案件多少件？").refused is False


def test_swap_interrupted_between_renames_is_recovered(built: Path) -> None:
    old = built.with_name(built.name + ".old")
    built.rename(old)  # as if the process died after moving the old index aside
    assert Engine(built).chunks


def test_copying_an_index_elsewhere_keeps_it_usable(built: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(built, copy)
    assert Engine(copy).ask("2024年全区新收行政复议案件多少件？").citations


def test_folder_of_a_killed_build_is_removed_by_the_next_build(
    built: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    dead = built.parent / f".{built.name}.building-999999999-abc"  # no such process
    dead.mkdir()
    build_index([read_report(SEED_REPORT)], built, embedder, ChunkSettings(max_chars=150))
    assert not dead.exists()
