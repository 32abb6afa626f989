"""Errors that reach a reader of the web chat or the REST API say what is wrong in Chinese; the
English the command line has always printed follows in brackets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reportqa.answer.inputs import report_ids
from reportqa.errors import IndexUnusableError, InputError
from reportqa.indexing.live import LiveIndex


@pytest.mark.parametrize(
    ("reports", "chinese", "english"),
    [
        ({"a": 1}, "reports 应为报告编号（文字）的列表", "list of report ids"),
        ([1], "reports 应为报告编号（文字）", "got 1"),
    ],
)
def test_report_ids_of_the_wrong_type(reports: Any, chinese: str, english: str) -> None:
    with pytest.raises(InputError) as raised:
        report_ids(reports)
    assert chinese in str(raised.value) and english in str(raised.value)


def test_an_unknown_report(all_engine: Any) -> None:
    with pytest.raises(InputError) as raised:
        all_engine.check_reports(["nope"])
    said = str(raised.value)
    assert said.startswith("没有这份报告：nope。")
    assert "Unknown report(s): nope" in said  # what `reportqa ask --report nope` prints
    assert f"Indexed ({len(all_engine.reports)}): " in said
    assert all(rid in said for rid in all_engine.reports)  # six: all named


def test_an_unknown_report_in_a_large_index_names_only_a_few() -> None:
    from reportqa.engine import Engine

    engine = Engine.__new__(Engine)  # only the report ids matter here
    engine.reports = {f"r{i:05d}": object() for i in range(10_000)}
    with pytest.raises(InputError) as raised:
        engine.check_reports(["nope"])
    said = str(raised.value)
    assert "Indexed (10000): r00000, " in said and said.endswith("r00009, …")
    assert len(said) < 300


def test_no_index_yet(tmp_path: Path) -> None:
    live = LiveIndex(tmp_path / "none", lambda folder, previous: None, warm_up=False)
    with pytest.raises(IndexUnusableError) as raised:
        live.require()
    said = str(raised.value)
    assert said.startswith("还没有可用的索引") and f"No index at {tmp_path / 'none'}" in said
