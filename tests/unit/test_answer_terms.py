"""The answer step's document frequencies are read as the build stored them, never re-counted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reportqa.indexing.answer_terms import has_stored_counts, read_answer_df
from reportqa.indexing.term_table import write_answer_df, write_term_table


def test_counts_stored_beside_the_term_table_are_read_by_term(tmp_path: Path) -> None:
    vocab = {"镜湖": 0, "120|件": 1, "标题": 2, "复议": 3}  # 标题: a title-only term
    df = {"镜湖": 3, "120|件": 1, "复议": 2}
    (tmp_path / "bm25").mkdir()
    write_term_table(tmp_path / "bm25", vocab)
    write_answer_df(tmp_path / "bm25", vocab, df)
    assert has_stored_counts(tmp_path)
    stored = read_answer_df(tmp_path)
    assert dict(stored) == df
    assert stored.get("标题", 0) == 0 and stored.get("不在词表", 0) == 0


def test_an_older_index_reads_its_json_counts(tmp_path: Path) -> None:
    (tmp_path / "answer_terms.json").write_text(
        json.dumps({"chunks": 4, "df": {"镜湖": 3}}, ensure_ascii=False), encoding="utf-8"
    )
    assert not has_stored_counts(tmp_path)
    assert read_answer_df(tmp_path) == {"镜湖": 3}


def test_an_index_without_counts_is_an_error_not_a_recount(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        read_answer_df(tmp_path)
    (tmp_path / "answer_terms.json").write_text('{"chunks": 4}', encoding="utf-8")
    with pytest.raises(ValueError, match="damaged"):
        read_answer_df(tmp_path)
