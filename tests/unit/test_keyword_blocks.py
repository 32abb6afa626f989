"""The keyword leg's block bounds and its exact scoring by batches of descending reach, on posting
lists shaped like a large index made of copies of the same reports (many rows with the same
scores, the hard case for pruning): the same rows and floats as summing every posting, and far
fewer rows scored than with the bounds of whole lists."""

from __future__ import annotations

import numpy as np
import pytest

from reportqa.search import keyword_top
from reportqa.search.keyword_top import Postings, RowRanges, best_rows
from reportqa.search.retrieve import top_rows
from test_keyword_top import full_sum


def copied_postings(rng: np.random.Generator, base_docs: int, copies: int, terms: int) -> Postings:
    """`copies` copies of `base_docs` rows one after the other: each term's scores repeat."""
    docs = base_docs * copies
    data, indices, indptr = [], [], [0]
    for _ in range(terms):
        share = rng.choice([0.002, 0.02, 0.1, 0.4, 0.8])
        rows = np.flatnonzero(rng.random(base_docs) < share)
        # BM25-like: most rows hold a term once, a few many times (skewed, with ties).
        idf = np.log(1 + 1 / share)
        tf = rng.geometric(0.7, len(rows))
        scores = (np.round(idf * tf * 2.5 / (tf + 1.5) * 8) / 8).astype(np.float32)
        all_rows = (rows[None, :] + base_docs * np.arange(copies)[:, None]).ravel()
        indices.append(all_rows.astype(np.int32))
        data.append(np.tile(scores, copies))
        indptr.append(indptr[-1] + len(all_rows))
    return Postings(
        np.concatenate(data), np.concatenate(indices), np.asarray(indptr, dtype=np.int64), docs
    )


def report_filter(rng: np.random.Generator, docs: int, report_rows: int) -> RowRanges | None:
    """Whole reports of `report_rows` rows, a random share of them kept (None: every row)."""
    share = rng.choice([0.0, 0.1, 0.65])
    if share == 0.0:
        return None
    starts = np.arange(0, docs, report_rows)
    kept = starts[rng.random(len(starts)) < share]
    return RowRanges.merged(kept, np.minimum(kept + report_rows, docs))


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyword_top, "BLOCK_ROWS", 16)
    monkeypatch.setattr(keyword_top, "BLOCK_MIN_POSTINGS", 50)
    monkeypatch.setattr(keyword_top, "BLOCKS_FOR_ROWS", 0)


def test_block_bounds_are_each_blocks_largest_score(small_blocks: None) -> None:
    rng = np.random.default_rng(3)
    postings = copied_postings(rng, 300, 5, 12)
    for term in range(12):
        start, end = postings.span(term)
        bounds = postings.block_bounds(term)
        if end - start < 50:
            assert bounds is None
            continue
        assert bounds is not None
        expected = np.zeros(-(-postings.num_docs // 16), dtype=np.float32)
        np.maximum.at(expected, postings.indices[start:end] // 16, postings.data[start:end])
        assert bounds.tolist() == expected.tolist()


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("first_batch", [1, 4])
def test_best_rows_on_copies_equal_the_full_sum_then_the_filter(
    seed: int, first_batch: int, small_blocks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keyword_top, "FIRST_BATCH_DEPTHS", first_batch)
    rng = np.random.default_rng(seed)
    base = int(rng.integers(100, 800))
    postings = copied_postings(rng, base, int(rng.integers(3, 12)), 40)
    for _ in range(25):
        terms = rng.integers(0, 40, rng.integers(1, 25)).tolist()
        terms += terms[: rng.integers(0, 3)]  # a query term repeated
        allowed = report_filter(rng, postings.num_docs, int(rng.integers(20, 90)))
        depth = int(rng.choice([1, 5, 50]))
        rows = None if allowed is None else allowed.rows()
        expected_ids, expected_scores = top_rows(full_sum(postings, terms), rows, depth)
        ids, scores = best_rows(
            postings, terms, allowed or RowRanges.every(postings.num_docs), depth
        )
        assert ids.tolist() == expected_ids.tolist()
        assert scores.tobytes() == expected_scores.tobytes()


def test_block_bounds_and_batches_score_fewer_rows(
    small_blocks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    scored: list[int] = []
    exact_scores = keyword_top.exact_scores

    def counted(postings: Postings, terms: list[int], rows: np.ndarray) -> np.ndarray:
        scored.append(len(rows))
        return exact_scores(postings, terms, rows)

    monkeypatch.setattr(keyword_top, "exact_scores", counted)
    queries = [np.random.default_rng(q).integers(0, 40, 12).tolist() for q in range(20)]

    def rows_scored() -> int:
        # Fresh postings each time: block bounds made once are kept.
        postings = copied_postings(np.random.default_rng(11), 600, 20, 40)
        every = RowRanges.every(postings.num_docs)
        scored.clear()
        for terms in queries:
            best_rows(postings, terms, every, 50)
        return sum(scored)

    with_blocks = rows_scored()
    # Whole-list bounds only, every row in reach scored at once: as before the block bounds.
    monkeypatch.setattr(keyword_top, "BLOCK_MIN_POSTINGS", 10**12)
    monkeypatch.setattr(keyword_top, "FIRST_BATCH_DEPTHS", 10**9)
    without = rows_scored()
    assert with_blocks < 0.6 * without, (with_blocks, without)


def test_lookups_within_blocks_find_what_a_search_of_the_whole_list_finds(
    small_blocks: None,
) -> None:
    rng = np.random.default_rng(5)
    postings = copied_postings(rng, 400, 6, 20)
    full = [full_sum(postings, [t]) for t in range(20)]
    for size in (1, 7, 40, 300):
        rows = np.sort(rng.choice(postings.num_docs, size, replace=False))
        for term in range(20):
            starts = postings.block_starts(term)
            start, end = postings.span(term)
            listed = postings.indices[start:end]
            if starts is not None:
                blocks = rows // 16
                windowed = keyword_top._lower_bounds(
                    listed, rows, starts[blocks], starts[blocks + 1]
                )
                assert windowed.tolist() == np.searchsorted(listed, rows).tolist()
            assert keyword_top.exact_scores(postings, [term], rows).tobytes() == (
                full[term][rows].tobytes()
            )


def test_blocks_are_made_only_when_many_rows_are_in_reach(
    small_blocks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    postings = copied_postings(np.random.default_rng(2), 300, 8, 30)
    terms = list(range(30))
    every = RowRanges.every(postings.num_docs)
    monkeypatch.setattr(keyword_top, "BLOCKS_FOR_ROWS", postings.num_docs)
    expected = best_rows(postings, terms, every, 20)
    assert not postings._blocks  # no list read whole for a few rows
    monkeypatch.setattr(keyword_top, "BLOCKS_FOR_ROWS", 0)
    found = best_rows(postings, terms, every, 20)
    assert postings._blocks
    assert found[0].tolist() == expected[0].tolist()
    assert found[1].tobytes() == expected[1].tobytes()
