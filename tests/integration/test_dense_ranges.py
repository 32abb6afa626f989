"""A report filter handed to the dense leg as row ranges (its bitmap made from the ranges'
bounds, its rows never listed when the filter is wide) finds exactly what the same filter
handed as a list of rows finds, on an exact and on an IVF index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reportqa.search import dense
from reportqa.search.dense import _bitmap_selector
from reportqa.search.keyword_top import RowRanges
from test_scale import _dense_folder, _unit_rows


def report_ranges(rng: np.random.Generator, n: int, share: float) -> RowRanges:
    cuts = np.unique(np.r_[0, rng.integers(1, n, 300), n])
    keep = rng.random(len(cuts) - 1) < share
    return RowRanges.merged(cuts[:-1][keep], cuts[1:][keep])


def test_bitmap_from_ranges_is_the_bitmap_of_their_rows() -> None:
    rng = np.random.default_rng(0)
    for n in (1, 9, 1_000, 4_099):
        for share in (0.0, 0.1, 0.5, 1.0):
            ranges = report_ranges(rng, n, share) if n > 1 else RowRanges.every(1)
            _, from_ranges = _bitmap_selector(ranges, n)
            _, from_rows = _bitmap_selector(ranges.rows(), n)
            assert from_ranges.tobytes() == from_rows.tobytes()


@pytest.mark.parametrize("approximate", [False, True])
def test_search_by_ranges_finds_what_search_by_rows_finds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, approximate: bool
) -> None:
    monkeypatch.setattr(dense, "ANN_MIN_VECTORS", 2_000 if approximate else 10**9)
    # Filters wider than this go through the FAISS selector, narrower ones are searched exactly.
    monkeypatch.setattr(dense, "EXACT_MAX_ROWS", 400)
    vectors = _unit_rows(6_000, 32, seed=1)
    index = _dense_folder(tmp_path, vectors)
    assert index.approximate == approximate
    rng = np.random.default_rng(2)
    queries = _unit_rows(10, 32, seed=3)
    for share in (0.02, 0.3, 0.8):
        ranges = report_ranges(rng, len(vectors), share)
        for q in queries:
            by_ranges = index.search(q, 10, ranges)
            by_rows = index.search(q, 10, ranges.rows())
            assert by_ranges[0].tolist() == by_rows[0].tolist()
            assert by_ranges[1].tobytes() == by_rows[1].tobytes()
            assert set(by_ranges[0].tolist()) <= set(ranges.rows().tolist())
    assert len(index.search(queries[0], 10, RowRanges.of([]))[0]) == 0
