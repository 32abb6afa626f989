"""The answer step's document frequencies as the build stored them, read without re-counting.

The build counts, for every term, the chunks whose section and text hold it. An index stores the
counts by term id beside its keyword term table (`bm25/terms.answer_df.npy`, see term_table.py);
an index built before the term table existed holds the same counts in `answer_terms.json`.
Opening an index never tokenises its chunks again.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from reportqa.indexing.index_writer import ANSWER_TERMS
from reportqa.indexing.term_table import ANSWER_DF, AnswerFrequencies, TermTable, has_term_table


def has_stored_counts(folder: Path) -> bool:
    """Whether the index at `folder` holds its counts beside its term table (builds since the
    term table do; a build over an older index writes them, keeping every vector)."""
    bm25 = folder / "bm25"
    return has_term_table(bm25) and (bm25 / ANSWER_DF).exists()


def read_answer_df(folder: Path) -> Mapping[str, int]:
    """The answer step's document frequencies in the index at `folder`: looked up on disk from
    the term table, or read from answer_terms.json in an older index. OSError or ValueError if
    the index holds neither, or a damaged one."""
    if has_stored_counts(folder):
        return AnswerFrequencies(TermTable(folder / "bm25"), folder / "bm25")
    data = json.loads((folder / ANSWER_TERMS).read_text(encoding="utf-8"))
    df = data.get("df") if isinstance(data, dict) else None
    if not isinstance(df, dict):
        raise ValueError(f"{ANSWER_TERMS} is damaged")
    return df
