"""The keyword leg's pruned, filter-restricted top rows against the full sum then filtered, on
random posting lists shaped like a large index's: a few rare terms, many common ones, repeated
query terms, scores with ties, filters of every width."""

from __future__ import annotations

import numpy as np
import pytest

from reportqa.search.keyword_top import Postings, RowRanges, best_rows, kept_positions
from reportqa.search.retrieve import top_rows


def random_postings(rng: np.random.Generator, docs: int, terms: int) -> Postings:
    data, indices, indptr = [], [], [0]
    for term in range(terms):
        # Term frequencies from a few rows to nearly every row; scores on a coarse grid (ties).
        share = rng.choice([0.001, 0.01, 0.1, 0.5, 0.9]) if term else 0.0
        rows = np.flatnonzero(rng.random(docs) < share)
        scale = 8.0 / (1 + 20 * share)
        scores = np.round(rng.random(len(rows)) * scale * 4) / 4 + 0.25
        indices.append(rows.astype(np.int32))
        data.append(scores.astype(np.float32))
        indptr.append(indptr[-1] + len(rows))
    return Postings(
        np.concatenate(data), np.concatenate(indices), np.asarray(indptr, dtype=np.int64), docs
    )


def full_sum(postings: Postings, terms: list[int]) -> np.ndarray:
    """What KeywordIndex.scores does: every posting of every term, in query order."""
    out = np.zeros(postings.num_docs, dtype=np.float32)
    for term in terms:
        start, end = postings.span(term)
        out[postings.indices[start:end]] += postings.data[start:end]
    return out


def random_filter(rng: np.random.Generator, docs: int) -> RowRanges | None:
    kind = rng.integers(0, 4)
    if kind == 0:
        return None
    # Reports of random lengths covering every row; keep a random share of them.
    cuts = np.unique(np.r_[0, rng.integers(1, docs, rng.integers(1, 400)), docs])
    reports = [range(a, b) for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
    keep = rng.random(len(reports)) < [0.02, 0.3, 0.9][kind - 1]
    return RowRanges.of(r for r, kept in zip(reports, keep, strict=True) if kept)


@pytest.mark.parametrize("seed", range(6))
def test_best_rows_equal_the_full_sum_then_the_filter(seed: int) -> None:
    rng = np.random.default_rng(seed)
    docs = int(rng.integers(500, 6_000))
    postings = random_postings(rng, docs, 60)
    for _ in range(40):
        terms = rng.integers(0, 60, rng.integers(1, 30)).tolist()
        terms += terms[: rng.integers(0, 4)]  # a query term repeated
        allowed = random_filter(rng, docs)
        depth = int(rng.choice([1, 5, 50, 200]))
        rows = None if allowed is None else allowed.rows()
        expected_ids, expected_scores = top_rows(full_sum(postings, terms), rows, depth)
        ids, scores = best_rows(postings, terms, allowed or RowRanges.every(docs), depth)
        assert ids.tolist() == expected_ids.tolist()
        assert scores.dtype == np.float32
        assert scores.tobytes() == expected_scores.tobytes()  # the same floats, bit for bit


def test_rows_with_no_term_fill_up_in_row_order() -> None:
    postings = Postings(
        np.asarray([2.0, 1.0], dtype=np.float32),
        np.asarray([7, 3], dtype=np.int32),
        np.asarray([0, 1, 2], dtype=np.int64),
        10,
    )
    allowed = RowRanges.of([range(2, 5), range(6, 9)])
    ids, scores = best_rows(postings, [0, 1], allowed, 5)
    assert ids.tolist() == [7, 3, 2, 4, 6]
    assert scores.tolist() == [2.0, 1.0, 0.0, 0.0, 0.0]
    assert best_rows(postings, [0], RowRanges.of([]), 5)[0].tolist() == []


def test_kept_positions_by_range_bounds_or_by_posting() -> None:
    rows = np.asarray([1, 4, 5, 9, 12, 20], dtype=np.int32)
    many = RowRanges.of([range(0, 2), range(4, 6), range(10, 13), range(15, 16)])
    assert kept_positions(rows, many).tolist() == [0, 1, 2, 4]
    assert kept_positions(rows[:2], many).tolist() == [0, 1]  # fewer rows than ranges
    assert kept_positions(rows, RowRanges.every(30)).tolist() == list(range(6))
    assert RowRanges.of([range(4, 6), range(0, 2), range(2, 3)]).starts.tolist() == [0, 4]


@pytest.mark.parametrize("scatter_per_row", [0, 8, 10**9])
def test_exact_scores_by_lookup_or_by_whole_list_are_the_full_sum(
    scatter_per_row: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reportqa.search import keyword_top

    monkeypatch.setattr(keyword_top, "SCATTER_PER_ROW", scatter_per_row)
    rng = np.random.default_rng(7)
    postings = random_postings(rng, 3_000, 40)
    terms = rng.integers(0, 40, 25).tolist() + [3, 3]
    full = full_sum(postings, terms)
    for size in (1, 50, 2_000):
        rows = np.sort(rng.choice(3_000, size, replace=False))
        got = keyword_top.exact_scores(postings, terms, rows)
        assert got.tobytes() == full[rows].tobytes()


def test_row_ranges_merge_as_a_set_of_rows_would() -> None:
    rng = np.random.default_rng(5)
    for _ in range(200):
        starts = rng.integers(0, 100, rng.integers(0, 12))
        stops = starts + rng.integers(-2, 15, len(starts))
        merged = RowRanges.merged(starts, stops)
        rows = sorted({r for a, b in zip(starts, stops, strict=True) for r in range(a, b)})
        assert merged.rows().tolist() == rows
        assert np.all(merged.starts[1:] > merged.stops[:-1])  # disjoint, not touching
