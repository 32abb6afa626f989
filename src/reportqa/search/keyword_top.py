"""The keyword leg's best rows among the allowed ones, without adding up every posting.

`best_rows` gives exactly what `top_rows(scores, allowed_rows, depth)` gives for the full BM25
sum (`KeywordIndex.scores`): the same rows, the same float32 scores, ties by row. It reads far
fewer postings:

- Restriction to a filter. A report's chunks are consecutive rows and each term's posting list
  is sorted by row, so the postings of the kept reports are found by binary searches on the
  filter's row ranges (or, for a short list, each posting's range is found), not by summing the
  whole list and dropping rows afterwards.
- Pruning (MaxScore, Turtle & Flood 1995). Terms are taken by their largest possible
  contribution, rarest first, into a partial sum. Once the terms not yet taken could add at
  most `rest` to a row and the depth-th best partial score is above `rest`, no row untouched so
  far can reach the top, and neither can a touched row whose partial score plus `rest` stays
  below that depth-th score. The common characters and bigrams of a question, whose lists hold
  most chunks, are then never enumerated.
- The rows that survive are scored exactly: each query term in query order (repeats included)
  looked up by binary search in its list and added in float32, the additions the full sum makes
  for those rows, so the floats are identical.

The bounds compare sums made in another order than the exact one, so they carry a margin far
wider than float32 rounding of a few dozen additions.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

# Relative and absolute slack on the pruning bounds (float32 sums of ~50 terms round by ~1e-6).
_RELATIVE = 1e-4
_ABSOLUTE = 1e-5
# A term is added over its whole list, not looked up row by row, when its list is at most this
# many times the rows to score (a binary search costs about that many indexed adds).
SCATTER_PER_ROW = 8
# Past the point where pruning holds, the next term is still taken into the partial sums while
# its list is at most this many times the rows still in reach (it narrows them).
TAKE_PER_ROW = 4


@dataclass
class Postings:
    """Term-major BM25 arrays (bm25s's CSC layout): term t's rows are
    indices[indptr[t]:indptr[t+1]], ascending, with their scores in `data`."""

    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    num_docs: int
    # Reads data[start:end] without mapping it (None: from `data`): a common term's list is
    # read whole once for its largest score, which should not stay resident.
    read_data: Callable[[int, int], np.ndarray] | None = field(default=None, repr=False)
    # Each term's largest score, computed on first use (NaN: not yet).
    _largest: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        # Plain arrays over the same memory: slicing a np.memmap costs a subclass per slice.
        self.data, self.indices, self.indptr = (
            np.asarray(a) for a in (self.data, self.indices, self.indptr)
        )

    def total(self, terms: list[int]) -> int:
        """Postings of these terms (repeats counted)."""
        ids = np.asarray(terms, dtype=np.int64)
        return int((self.indptr[ids + 1] - self.indptr[ids]).sum())

    def span(self, term: int) -> tuple[int, int]:
        return int(self.indptr[term]), int(self.indptr[term + 1])

    def largest(self, term: int) -> float:
        if self._largest is None:
            self._largest = np.full(len(self.indptr) - 1, np.nan, dtype=np.float32)
        value = self._largest[term]
        if np.isnan(value):
            start, end = self.span(term)
            if end == start:
                value = np.float32(0)
            elif self.read_data is not None:
                value = np.max(self.read_data(start, end))
            else:
                value = np.max(self.data[start:end])
            self._largest[term] = value
        return float(value)


@dataclass(frozen=True)
class RowRanges:
    """Allowed rows as sorted, disjoint half-open ranges [starts[i], stops[i])."""

    starts: np.ndarray
    stops: np.ndarray

    @classmethod
    def of(cls, ranges: Iterable[range]) -> RowRanges:
        """Sorted and merged (touching ranges become one)."""
        pairs = [(r.start, r.stop) for r in ranges]
        bounds = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
        return cls.merged(bounds[:, 0], bounds[:, 1])

    @classmethod
    def merged(cls, starts: np.ndarray, stops: np.ndarray) -> RowRanges:
        """The ranges [starts[i], stops[i]) sorted, empty ones dropped, overlapping or touching
        ones merged."""
        keep = stops > starts
        starts, stops = starts[keep], stops[keep]
        order = np.argsort(starts, kind="stable")
        starts, stops = starts[order], stops[order]
        if not len(starts):
            return cls(starts, stops)
        reach = np.maximum.accumulate(stops)
        # A range begins a new run unless it starts within the reach of those before it.
        new_run = np.r_[True, starts[1:] > reach[:-1]]
        firsts = np.flatnonzero(new_run)
        lasts = np.r_[firsts[1:], len(starts)] - 1
        return cls(starts[firsts], reach[lasts])

    @classmethod
    def every(cls, n: int) -> RowRanges:
        return cls(np.asarray([0], dtype=np.int64), np.asarray([n], dtype=np.int64))

    @property
    def size(self) -> int:
        return int((self.stops - self.starts).sum())

    def rows(self) -> np.ndarray:
        """Every allowed row, ascending."""
        if not len(self.starts):
            return np.zeros(0, dtype=np.int64)
        return np.concatenate(
            [np.arange(a, b, dtype=np.int64) for a, b in zip(self.starts, self.stops, strict=True)]
        )

    def first_rows_outside(self, taken: np.ndarray, count: int) -> np.ndarray:
        """The `count` smallest allowed rows not in `taken` (sorted)."""
        found: list[np.ndarray] = []
        wanted = count
        for start, stop in zip(self.starts.tolist(), self.stops.tolist(), strict=True):
            if wanted <= 0:
                break
            block = np.arange(start, min(stop, start + wanted + len(taken)), dtype=np.int64)
            block = block[~np.isin(block, taken)][:wanted]
            found.append(block)
            wanted -= len(block)
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def kept_positions(rows: np.ndarray, allowed: RowRanges) -> np.ndarray:
    """Positions in the sorted `rows` of those inside the allowed ranges."""
    starts, stops = allowed.starts, allowed.stops
    if not len(rows) or not len(starts):
        return np.zeros(0, dtype=np.int64)
    if len(starts) == 1:
        low, high = np.searchsorted(rows, [starts[0], stops[0]])
        return np.arange(low, high, dtype=np.int64)
    if len(rows) < len(starts):
        # A short list: look each posting's range up instead of each range's bounds.
        which = np.searchsorted(stops, rows, side="right")
        inside = which < len(starts)
        inside[inside] = rows[inside] >= starts[which[inside]]
        return np.flatnonzero(inside)
    lows = np.searchsorted(rows, starts)
    highs = np.searchsorted(rows, stops)
    counts = highs - lows
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    # Concatenated aranges lows[i]..highs[i]: a running count shifted by each range's start.
    shift = lows - (np.cumsum(counts) - counts)
    return np.arange(total, dtype=np.int64) + np.repeat(shift, counts)


def exact_scores(postings: Postings, terms: list[int], rows: np.ndarray) -> np.ndarray:
    """The full BM25 sum for these sorted rows, each term in query order: a term with a short
    list is added over its whole list (into a scratch array indexed by row), a longer one is
    looked up for these rows by binary search. Either way each row gets the same float32
    additions in the same order as the full sum."""
    scratch: np.ndarray | None = None
    out = np.zeros(len(rows), dtype=np.float32)
    for term in terms:
        start, end = postings.span(term)
        if end == start or not len(rows):
            continue
        listed = postings.indices[start:end]
        if end - start <= SCATTER_PER_ROW * len(rows):
            if scratch is None:
                # Everything added so far moves to the scratch array, in place of `out`.
                scratch = np.zeros(postings.num_docs, dtype=np.float32)
                scratch[rows] = out
            scratch[listed] += postings.data[start:end]
            continue
        at = np.searchsorted(listed, rows)
        inside = at < len(listed)
        inside[inside] = listed[at[inside]] == rows[inside]
        if scratch is None:
            out[inside] += postings.data[start:end][at[inside]]
        else:
            scratch[rows[inside]] += postings.data[start:end][at[inside]]
    return out if scratch is None else scratch[rows]


def _ranked(rows: np.ndarray, scores: np.ndarray, depth: int) -> tuple[np.ndarray, np.ndarray]:
    """Best `depth` by descending score, ties by row (rows ascending on entry)."""
    order = np.lexsort((rows, -scores))[:depth]
    return rows[order].astype(np.int64), scores[order]


def _depth_th(values: np.ndarray, depth: int) -> float:
    return float(np.partition(values, len(values) - depth)[len(values) - depth])


def best_rows(
    postings: Postings, terms: list[int], allowed: RowRanges, depth: int
) -> tuple[np.ndarray, np.ndarray]:
    """The `depth` allowed rows with the highest BM25 sum over `terms` (query order, repeats
    included), best first, ties by row; rows with no term fill up with score 0 in row order, as
    a sort of every allowed row would give."""
    if depth <= 0 or allowed.size == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    times = Counter(terms)
    bound = {term: times[term] * postings.largest(term) for term in times}
    order = sorted(times, key=lambda term: (-bound[term], term))
    rest = float(sum(bound.values()))
    taken_bound = 0.0
    partial = np.zeros(postings.num_docs, dtype=np.float32)
    touched = np.zeros(postings.num_docs, dtype=bool)
    new_rows: list[np.ndarray] = []
    candidates = np.zeros(0, dtype=np.int64)
    threshold = 0.0
    for i, term in enumerate(order):
        start, end = postings.span(term)
        listed = postings.indices[start:end]
        at = kept_positions(listed, allowed)
        rows = np.asarray(listed[at], dtype=np.int64)
        partial[rows] += postings.data[start:end][at] * np.float32(times[term])
        fresh = rows[~touched[rows]]
        touched[fresh] = True
        new_rows.append(fresh)
        rest = max(rest - bound[term], 0.0)
        taken_bound += bound[term]
        if rest > taken_bound:
            continue  # no partial score can exceed `rest` yet
        candidates = np.concatenate([candidates, *new_rows])
        new_rows = []
        if len(candidates) < depth:
            continue
        values = partial[candidates]
        threshold = _depth_th(values, depth)
        if threshold > 0 and _above(threshold, rest):
            # Rows untouched so far are out. Taking the next term too is worth it while its
            # list is short next to the rows still in reach, which are looked up in each term.
            if i + 1 < len(order):
                following = postings.span(order[i + 1])
                in_reach = int(np.count_nonzero(_reach(values, rest) >= threshold))
                if following[1] - following[0] <= TAKE_PER_ROW * in_reach:
                    continue
            break
    else:
        candidates = np.concatenate([candidates, *new_rows])
        rest = 0.0
        threshold = _depth_th(partial[candidates], depth) if len(candidates) >= depth else 0.0
    candidates.sort()
    if threshold > 0:
        # Rows whose partial score plus what the other terms could add stays below the
        # depth-th partial score cannot be in the top.
        candidates = candidates[_reach(partial[candidates], rest) >= threshold]
    scores = exact_scores(postings, terms, candidates)
    ids, values = _ranked(candidates, scores, depth)
    if len(ids) < depth:
        filler = allowed.first_rows_outside(candidates, depth - len(ids))
        ids = np.concatenate([ids, filler])
        values = np.concatenate([values, np.zeros(len(filler), dtype=np.float32)])
    return ids, values


def _reach(partial: np.ndarray, rest: float) -> np.ndarray:
    """The most these partial scores can become, rounding allowed for."""
    return (partial.astype(np.float64) + rest) * (1 + _RELATIVE) + _ABSOLUTE


def _above(threshold: float, rest: float) -> bool:
    """Whether `threshold` safely exceeds `rest`, float rounding of both sums allowed for."""
    return threshold * (1 - _RELATIVE) > rest * (1 + _RELATIVE) + _ABSOLUTE
