"""The live index: loads racing rebuilds never see a mixed index; a bad generation never replaces
a good one."""

from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from paths import SEEDS
from reportqa.engine import Engine
from reportqa.indexing.build import build_index, remove_reports
from reportqa.indexing.live import LiveIndex, current_generation, engine_loader, load_generation
from reportqa.indexing.manage import add_reports, reindex, stored_reports
from reportqa.ingest.parse import ChunkSettings
from reportqa.ingest.read import read_report

JINGHU = SEEDS / "jinghu-2024-fazhi.txt"
HUAIAN = SEEDS / "huaian-2024-xxgk-nianbao.txt"
LONGHUA = SEEDS / "shenzhen-longhua-2019-fazhi.txt"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, build_reports) -> Path:  # type: ignore[no-untyped-def]
    return build_reports([JINGHU, HUAIAN], tmp_path_factory.mktemp("live") / "index")


@pytest.fixture
def two_reports(built: Path, tmp_path: Path) -> Path:
    """A fresh copy of the two-report index, for a test to rebuild."""
    return Path(shutil.copytree(built, tmp_path / "index"))


def _consistent(engine: Engine) -> bool:
    manifest = engine.manifest
    return (
        len(engine.chunks) == manifest.chunk_count
        and {c.report for c in engine.chunks} == set(manifest.reports)
        and len(engine.retriever.dense.scores(engine.embedder.embed_query("报告")))
        == len(engine.chunks)
    )


def test_loads_during_rebuilds_are_whole(two_reports: Path, embedder) -> None:  # type: ignore[no-untyped-def]
    stop = threading.Event()
    build_errors: list[BaseException] = []
    builds = [0]

    def rebuild() -> None:
        # Alternate between one and two reports; neither re-embeds anything.
        both = [read_report(JINGHU), read_report(HUAIAN)]
        try:
            while not stop.is_set():
                remove_reports(two_reports, ["huaian-2024-xxgk-nianbao"])
                build_index(both, two_reports, embedder, ChunkSettings())
                builds[0] += 2
        except BaseException as exc:
            build_errors.append(exc)

    builder = threading.Thread(target=rebuild)
    builder.start()
    loads = []
    try:
        # Until enough rebuilds and loads have interleaved, not for a fixed time: a busy machine
        # builds more slowly, and the test is about wholeness, not speed.
        deadline = time.monotonic() + 120
        while (builds[0] < 4 or len(loads) < 5) and time.monotonic() < deadline:
            if build_errors:
                break
            engine, generation = load_generation(
                two_reports, lambda folder: Engine(folder, embedder=embedder)
            )
            assert _consistent(engine)
            assert engine.index_dir == two_reports
            loads.append((generation, len(engine.reports)))
    finally:
        stop.set()
        builder.join(timeout=60)
    assert build_errors == []  # a watcher never breaks a build
    assert builds[0] >= 4
    assert len(loads) >= 5
    assert {n for _, n in loads} <= {1, 2}


def test_refresh_swaps_in_a_new_generation_and_keeps_a_good_one(
    two_reports: Path, embedder
) -> None:  # type: ignore[no-untyped-def]
    live = LiveIndex(two_reports, engine_loader(), warm_up=True)
    assert live.engine is None and live.status().reports == 0
    live.adopt(Engine(two_reports, embedder=embedder))  # as serve does with its first engine
    first = live.engine
    assert first is not None and live.generation == current_generation(two_reports)
    swapped: list[Engine] = []
    live.on_swap(swapped.append)
    assert live.refresh() is False  # nothing changed

    remove_reports(two_reports, ["huaian-2024-xxgk-nianbao"])
    assert live.refresh() is True
    assert live.engine is not first and list(live.engine.reports) == ["jinghu-2024-fazhi"]
    assert live.engine.embedder is first.embedder  # the model is not loaded again
    assert swapped == [live.engine] and live.status().swaps == 1
    assert live.generation == current_generation(two_reports)

    # A damaged generation is not swapped in; the engine in use keeps answering.
    build_index([read_report(JINGHU), read_report(HUAIAN)], two_reports, embedder, ChunkSettings())
    (two_reports / "dense.faiss").write_bytes(b"not faiss")
    serving = live.engine
    assert live.refresh() is False
    assert live.engine is serving
    assert "damaged" in (live.status().error or "")
    assert str(two_reports) in (live.status().error or "")  # not the /proc path
    assert "120件" in serving.ask("2024年镜湖区全区新收行政复议案件多少件？").answer


def test_add_reports_keeps_the_indexed_ones_and_refuses_a_clash(
    two_reports: Path, embedder, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    before = Engine(two_reports, embedder=embedder)
    result = add_reports(two_reports, [read_report(LONGHUA)], embedder)
    assert result.embedded_reports == [
        "shenzhen-longhua-2019-fazhi"
    ]  # the others were not re-embedded
    after = Engine(two_reports, embedder=embedder)
    assert set(after.reports) == {*before.reports, "shenzhen-longhua-2019-fazhi"}
    for rid in before.reports:  # metadata carried over unchanged
        assert after.manifest.reports[rid] == before.manifest.reports[rid]
    with pytest.raises(Exception, match="Already indexed"):
        add_reports(two_reports, [read_report(JINGHU)], embedder)

    again = reindex(two_reports, embedder)
    assert sorted(again.embedded_reports) == sorted(after.reports)
    rebuilt = Engine(two_reports, embedder=embedder)
    assert [c.to_dict() for c in rebuilt.chunks] == [c.to_dict() for c in after.chunks]
    assert rebuilt.manifest.reports == after.manifest.reports

    fresh = tmp_path / "fresh"
    add_reports(fresh, [read_report(JINGHU)], embedder)
    assert [r.id for r in stored_reports(fresh)] == ["jinghu-2024-fazhi"]
    shutil.rmtree(fresh)


def test_a_swap_in_the_middle_of_a_load_is_never_mixed_in(
    two_reports: Path, embedder, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The rebuild lands after the chunks were read and before the search files are: the load
    must not combine the old chunks with the new search files."""
    import reportqa.engine as engine_module

    original = engine_module.KeywordIndex.load
    swaps = []

    def load_after_a_swap(folder: Path):  # type: ignore[no-untyped-def]
        if not swaps:
            swaps.append(remove_reports(two_reports, ["huaian-2024-xxgk-nianbao"]))
        return original(folder)

    monkeypatch.setattr(engine_module.KeywordIndex, "load", staticmethod(load_after_a_swap))
    engine, generation = load_generation(
        two_reports, lambda folder: Engine(folder, embedder=embedder)
    )
    assert swaps and _consistent(engine)
    assert list(engine.reports) == ["jinghu-2024-fazhi"]
    assert generation == current_generation(two_reports)
