"""Incremental rebuilds, `reportqa reports` and `reportqa remove`, failures that do not stop a build,
and a build killed half-way that leaves the previous index whole."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from paths import ROOT, SEEDS
from reportqa.cli.main import main
from reportqa.engine import Engine
from reportqa.indexing.build import build_index
from reportqa.indexing.store import read_manifest
from reportqa.ingest.parse import ChunkSettings
from reportqa.ingest.read import read_report

SMALL = ["jinghu-2024-fazhi", "shenzhen-longhua-2019-fazhi"]


class CountingEmbedder:
    """The real embedder, counting which texts it was asked to embed."""

    def __init__(self, inner) -> None:  # type: ignore[no-untyped-def]
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.passages = 0
        self.calls = 0

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.passages += len(texts)
        return self.inner.embed_passages(texts)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)


def _copy(names: list[str], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        for path in SEEDS.glob(f"{name}.*"):
            shutil.copy(path, folder / path.name)
    return folder


def _build(folder: Path, index_dir: Path, embedder: CountingEmbedder):  # type: ignore[no-untyped-def]
    reports = [read_report(p) for p in sorted(folder.glob("*.txt"))]
    return build_index(reports, index_dir, embedder, ChunkSettings())


def test_adding_changing_deleting_a_report_embeds_only_that_report(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    folder = _copy(SMALL, tmp_path / "reports")
    index_dir = tmp_path / "index"
    counter = CountingEmbedder(embedder)
    first = _build(folder, index_dir, counter)
    assert sorted(first.embedded_reports) == SMALL and counter.calls == 2

    _copy(["huaian-2024-xxgk-nianbao"], folder)  # add
    counter.calls = counter.passages = 0
    added = _build(folder, index_dir, counter)
    assert added.embedded_reports == ["huaian-2024-xxgk-nianbao"]
    assert counter.calls == 1
    manifest = read_manifest(index_dir)
    assert manifest is not None
    assert counter.passages == manifest.reports["huaian-2024-xxgk-nianbao"].chunks

    changed = folder / "shenzhen-longhua-2019-fazhi.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n新增一段文字。\n", encoding="utf-8")
    counter.calls = 0
    result = _build(folder, index_dir, counter)
    assert result.embedded_reports == ["shenzhen-longhua-2019-fazhi"] and counter.calls == 1

    (folder / "jinghu-2024-fazhi.txt").unlink()  # delete
    counter.calls = 0
    deleted = _build(folder, index_dir, counter)
    assert deleted.embedded_reports == [] and counter.calls == 0
    assert deleted.removed_reports == ["jinghu-2024-fazhi"]

    counter.calls = 0
    assert not _build(folder, index_dir, counter).changed and counter.calls == 0
    # Reused vectors are the vectors a fresh build gives.
    fresh = tmp_path / "fresh"
    _build(folder, fresh, CountingEmbedder(embedder))
    np.testing.assert_allclose(
        np.load(index_dir / "vectors.npy"), np.load(fresh / "vectors.npy"), atol=1e-5
    )


def test_reports_lists_and_remove_takes_one_out(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    folder = _copy([*SMALL, "huaian-2024-xxgk-nianbao"], tmp_path / "reports")
    index_dir = tmp_path / "index"
    _build(folder, index_dir, CountingEmbedder(embedder))
    runner = CliRunner()

    listed = runner.invoke(main, ["reports", "--index-dir", str(index_dir), "--json"])
    assert listed.exit_code == 0, listed.output
    rows = {r["id"]: r for r in json.loads(listed.output)}
    assert set(rows) == {*SMALL, "huaian-2024-xxgk-nianbao"}
    assert rows["jinghu-2024-fazhi"]["years"] == [2024] and rows["jinghu-2024-fazhi"]["chunks"] > 0
    text = runner.invoke(main, ["reports", "--index-dir", str(index_dir)]).output
    assert "《镜湖区人民政府关于2024年法治政府建设情况的报告》" in text and "3 reports" in text

    before = np.load(index_dir / "vectors.npy")
    removed = runner.invoke(
        main, ["remove", "huaian-2024-xxgk-nianbao", "--index-dir", str(index_dir)]
    )
    assert removed.exit_code == 0, removed.output
    manifest = read_manifest(index_dir)
    assert manifest is not None and set(manifest.reports) == set(SMALL)
    engine = Engine(index_dir, embedder=embedder)
    assert {c.report for c in engine.chunks} == set(SMALL)
    # The other reports' vectors are kept as they were.
    kept = np.load(index_dir / "vectors.npy")
    assert kept.shape[0] == sum(manifest.reports[r].chunks for r in SMALL)
    assert any(np.allclose(kept[0], row) for row in before)
    assert not engine.ask("镜湖区2024年全区共调解矛盾纠纷多少件？").refused

    unknown = runner.invoke(main, ["remove", "nope", "--index-dir", str(index_dir)])
    assert unknown.exit_code != 0 and "nope" in unknown.output


def test_index_skips_broken_files_and_names_them(tmp_path: Path) -> None:
    folder = _copy(["jinghu-2024-fazhi"], tmp_path / "reports")
    (folder / "broken.pdf").write_bytes(b"not a pdf")
    (folder / "broken.docx").write_bytes(b"not a docx")
    runner = CliRunner()
    index_dir = str(tmp_path / "index")
    result = runner.invoke(main, ["index", str(folder), "--index-dir", index_dir])
    assert result.exit_code == 1, result.output  # indexed the rest, but a file failed
    assert "broken.pdf" in result.output and "broken.docx" in result.output
    assert "Indexed 1 reports" in result.output

    only_bad = runner.invoke(main, ["index", str(folder / "broken.pdf"), "--index-dir", index_dir])
    assert only_bad.exit_code != 0 and "broken.pdf" in only_bad.output


def _wait_for_building(proc: subprocess.Popen[bytes], seconds: float) -> None:
    """Wait until the build is under way (model loaded, embedding) but far from done."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.2)
    assert proc.poll() is None, "the build finished before it could be interrupted"


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_interrupted_build_leaves_the_previous_index_usable(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
    sig: signal.Signals,
) -> None:
    index_dir = tmp_path / "index"
    small = _copy(["jinghu-2024-fazhi"], tmp_path / "small")
    _build(small, index_dir, CountingEmbedder(embedder))
    before = (index_dir / "manifest.json").read_text(encoding="utf-8")

    big = tmp_path / "big"
    big.mkdir()
    anhui = (SEEDS / "anhui-2026-zfgzbg.txt").read_text(encoding="utf-8")
    for k in range(40):  # minutes of embedding: the kill lands mid-build
        (big / f"copy-{k:02d}.txt").write_text(anhui, encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-c", "from reportqa.cli.main import main; main()", "index", str(big)]
        + ["--index-dir", str(index_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    try:
        _wait_for_building(proc, 6.0)
        proc.send_signal(sig)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0
    assert (index_dir / "manifest.json").read_text(encoding="utf-8") == before
    engine = Engine(index_dir, embedder=embedder)
    assert set(engine.reports) == {"jinghu-2024-fazhi"}
    assert not engine.ask("镜湖区2024年全区共调解矛盾纠纷多少件？").refused


def test_sidecar_edit_updates_metadata_and_reembeds_only_on_a_new_title(
    tmp_path: Path,
    embedder,  # type: ignore[no-untyped-def]
) -> None:
    folder = _copy(SMALL, tmp_path / "reports")
    index_dir = tmp_path / "index"
    counter = CountingEmbedder(embedder)
    _build(folder, index_dir, counter)
    sidecar = folder / "shenzhen-longhua-2019-fazhi.meta.json"
    data = json.loads(sidecar.read_text(encoding="utf-8"))

    sidecar.write_text(json.dumps({**data, "kind": "法治政府建设年度报告"}), encoding="utf-8")
    counter.calls = 0
    result = _build(folder, index_dir, counter)
    assert result.changed and counter.calls == 0
    manifest = read_manifest(index_dir)
    assert manifest is not None
    assert manifest.reports["shenzhen-longhua-2019-fazhi"].kind == "法治政府建设年度报告"

    sidecar.write_text(json.dumps({**data, "title": "龙华区2019年法治报告"}), encoding="utf-8")
    result = _build(folder, index_dir, counter)
    assert result.embedded_reports == ["shenzhen-longhua-2019-fazhi"]


def test_indexing_one_new_file_keeps_the_reports_indexed_before(tmp_path: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    folder = _copy(SMALL, tmp_path / "reports")
    new = _copy(["huaian-2024-xxgk-nianbao"], tmp_path / "new")
    index_dir = tmp_path / "index"
    _build(folder, index_dir, CountingEmbedder(embedder))
    runner = CliRunner()

    added = runner.invoke(
        main, ["index", str(new / "huaian-2024-xxgk-nianbao.txt"), "--index-dir", str(index_dir)]
    )
    assert added.exit_code == 0, added.output
    assert "Kept 2 report(s) indexed before" in added.output
    manifest = read_manifest(index_dir)
    assert manifest is not None
    assert set(manifest.reports) == {*SMALL, "huaian-2024-xxgk-nianbao"}

    # A report whose file is gone leaves the index at the next build.
    (folder / "jinghu-2024-fazhi.txt").unlink()
    again = runner.invoke(main, ["index", str(new), "--index-dir", str(index_dir)])
    assert again.exit_code == 0, again.output
    manifest = read_manifest(index_dir)
    assert manifest is not None
    assert set(manifest.reports) == {"shenzhen-longhua-2019-fazhi", "huaian-2024-xxgk-nianbao"}
    assert "removed: jinghu-2024-fazhi" in again.output
