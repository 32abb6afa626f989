"""The shipped reports work the same when dropped in without their sidecars, as users add reports:
metadata detected from the title line, file name or body, and the same answers."""

from __future__ import annotations

import json
import shutil

import pytest

from paths import EVAL_DIR, SEEDS
from reportqa.search.route import place_forms

# Questions on the development reports only (the others are held out for testing).
DEV_REPORTS = ("jinghu-2024-fazhi", "anhui-2026-zfgzbg", "huaian-2024-xxgk-nianbao")


def _dev_questions() -> list[dict[str, object]]:
    for name in ("dev.jsonl", "questions.jsonl"):
        path = EVAL_DIR / name
        if path.exists():
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
            return [r for r in rows if str(r.get("report") or "").split(".")[0] in DEV_REPORTS]
    return []


@pytest.fixture(scope="module")
def bare_engine(tmp_path_factory: pytest.TempPathFactory, build_reports, embedder):  # type: ignore[no-untyped-def]
    from reportqa.engine import Engine

    folder = tmp_path_factory.mktemp("bare")
    for path in sorted(SEEDS.glob("*.txt")):
        shutil.copy(path, folder / path.name)  # the text alone, no .meta.json beside it
    return Engine(build_reports(sorted(folder.glob("*.txt")), folder / "index"), embedder=embedder)


def test_metadata_without_sidecars(bare_engine, all_engine) -> None:  # type: ignore[no-untyped-def]
    for rid, info in all_engine.reports.items():
        bare = bare_engine.reports[rid]
        # every year the sidecar gives is detected, and the report's own place
        assert set(info.years) == set(bare.years), rid
        assert bare.places, rid
        for place in bare.places:  # 厦门 for 厦门市: the same place, in its short form
            assert any(place_forms(place) & place_forms(known) for known in info.places), rid


def test_same_answers_without_sidecars(bare_engine, all_engine) -> None:  # type: ignore[no-untyped-def]
    questions = _dev_questions()
    assert len(questions) >= 50
    differ = []
    for q in questions:
        text = str(q["question"])
        with_sidecars = all_engine.ask(text)
        without = bare_engine.ask(text)
        # the same answer, or a refusal for both (whose reason may name another missing place)
        same = (with_sidecars.refused and without.refused) or (
            with_sidecars.answer == without.answer and with_sidecars.refused == without.refused
        )
        if not same:
            differ.append(text)
    assert not differ, differ
