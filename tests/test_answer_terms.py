"""The answer step's document frequencies as stored by term id read back as a term mapping."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from reportqa.indexing.answer_terms import CountsByTerm, read_answer_df
from reportqa.indexing.index_writer import ANSWER_DF, answer_df_by_id


def test_counts_by_id_read_back_as_the_counter_they_came_from(tmp_path: Path) -> None:
    vocab = {"镜湖": 0, "120|件": 1, "标题": 2, "复议": 3}  # 标题: a title-only term
    df = Counter({"镜湖": 3, "120|件": 1, "复议": 2})
    np.save(tmp_path / ANSWER_DF, answer_df_by_id(df, vocab))
    stored = read_answer_df(tmp_path, vocab)
    assert dict(stored) == dict(df) and len(stored) == 3
    assert stored.get("标题", 0) == 0 and stored.get("不在词表", 0) == 0
    assert "标题" not in stored and stored["复议"] == 2


def test_counts_for_another_vocabulary_are_refused() -> None:
    with pytest.raises(ValueError, match="3 keyword terms"):
        CountsByTerm({"a": 0, "b": 1, "c": 2}, np.zeros(2, dtype=np.int32))


def test_an_index_without_either_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        read_answer_df(tmp_path, {})
