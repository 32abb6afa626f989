"""On a real index (the six seed reports), the keyword leg's pruned, filter-restricted top rows
are those of the full BM25 sum filtered afterwards: same rows, same float32 scores, same order,
for every evaluation question under every kind of report filter."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from paths import ROOT
from reportqa.search import keyword_top, retrieve
from reportqa.search.dense import DenseIndex
from reportqa.search.keyword_top import RowRanges
from reportqa.search.retrieve import KeywordIndex, Retriever, top_rows


def questions() -> list[str]:
    found = []
    for split in ("dev", "test"):
        for line in (ROOT / "eval" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            if line.strip():
                found.append(json.loads(line)["question"])
    return found[::3]  # a third of them: enough words and lengths, a few seconds


@pytest.mark.parametrize("small_blocks", [False, True])
def test_filtered_keyword_top_equals_full_sum_then_filter(
    all_index: Path, monkeypatch: pytest.MonkeyPatch, small_blocks: bool
) -> None:
    from reportqa.indexing.store import read_index

    # Pruned for every question, however few its postings (a large index's path).
    monkeypatch.setattr(retrieve, "FULL_SUM_POSTINGS", 0)
    if small_blocks:
        # Block bounds for most lists, on blocks of a few rows, and exact scoring one depth at
        # a time: what a large index does, on a small one.
        monkeypatch.setattr(keyword_top, "BLOCK_ROWS", 8)
        monkeypatch.setattr(keyword_top, "BLOCK_MIN_POSTINGS", 20)
        monkeypatch.setattr(keyword_top, "BLOCKS_FOR_ROWS", 0)
        monkeypatch.setattr(keyword_top, "FIRST_BATCH_DEPTHS", 1)

    keyword = KeywordIndex.load(all_index)
    assert keyword._postings is not None  # the project's own files: searched by row
    retriever = Retriever(read_index(all_index).chunks, keyword, DenseIndex.load(all_index))
    reports = sorted(retriever._report_rows)
    rng = np.random.default_rng(0)
    filters: list[set[str] | None] = [None, *({r} for r in reports)]
    filters += [set(rng.choice(reports, size, replace=False)) for size in (2, 3, 5)]
    asked = questions()
    assert len(asked) > 20
    for question in asked:
        full = keyword.scores(question)
        for reports_kept in filters:
            ranges = retriever.allowed_ranges(reports_kept)
            rows = None if ranges is None else ranges.rows()
            for depth in (5, 50):
                expected_ids, expected_scores = top_rows(full, rows, depth)
                ids, scores = keyword.best(question, ranges, depth)
                assert ids.tolist() == expected_ids.tolist(), (question, reports_kept)
                assert scores.tobytes() == expected_scores.tobytes()
    assert keyword.best("行政复议", RowRanges.of([]), 5)[0].tolist() == []
