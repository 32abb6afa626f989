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
- Block bounds. For a long list, the largest score in each block of `BLOCK_ROWS` consecutive
  rows is kept (made on first use, from one read of the list). A row's reach is its partial
  score plus, for each term not yet taken, that term's largest score in the row's block: far
  below the sum of the terms' largest scores anywhere, so far fewer rows stay in reach.
- The rows in reach are scored exactly, those with the highest reach first, in growing batches:
  the depth-th best exact score found so far is a floor under the final depth-th score, so every
  row whose reach is below it is dropped before it is scored.
- Exact scoring: each query term in query order (repeats included) looked up by binary search in
  its list and added in float32, the additions the full sum makes for those rows, so the floats
  are identical.

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
# Rows per block of the block bounds, and the shortest list given them (shorter lists are taken
# into the partial sums or looked up cheaply anyway).
BLOCK_ROWS = 256
BLOCK_MIN_POSTINGS = 20_000
# Terms whose blocks are kept: each takes num_docs / BLOCK_ROWS float32 bounds and int32 starts,
# 42 KB at 1.4 M rows, so at most 86 MB (10,000 synthetic reports: 2,155 lists this long).
BLOCK_CACHE_TERMS = 2_048
# Block bounds are made (a whole list read) only when more rows than this are in reach without
# them; fewer are scored exactly at less cost.
BLOCKS_FOR_ROWS = 2_000
# The first batch of rows scored exactly, in depths; later batches double.
FIRST_BATCH_DEPTHS = 4


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
    # The same for `indices` (a long list's rows are read once for its block bounds).
    read_indices: Callable[[int, int], np.ndarray] | None = field(default=None, repr=False)
    # Each term's largest score, computed on first use (NaN: not yet).
    _largest: np.ndarray | None = field(default=None, repr=False)
    # Long lists' largest score per block of rows and where each block begins in the list,
    # computed on first use.
    _blocks: dict[int, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict, repr=False)

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

    def block_bounds(self, term: int, make: bool = True) -> np.ndarray | None:
        """The term's largest score in each block of `BLOCK_ROWS` rows (0 where it has none),
        for a list of at least `BLOCK_MIN_POSTINGS` (None for a shorter one, or, unless `make`,
        for one whose blocks were not made yet)."""
        found = self._block_info(term, make)
        return None if found is None else found[0]

    def block_starts(self, term: int, make: bool = True) -> np.ndarray | None:
        """For such a list, where each block's postings begin in it (one more entry: its
        length), so that a row is looked up among its block's postings only."""
        found = self._block_info(term, make)
        return None if found is None else found[1]

    def _block_info(self, term: int, make: bool) -> tuple[np.ndarray, np.ndarray] | None:
        found = self._blocks.get(term)
        if found is not None or not make:
            return found
        start, end = self.span(term)
        if end - start < BLOCK_MIN_POSTINGS:
            return None
        data = self.read_data(start, end) if self.read_data else self.data[start:end]
        rows = self.read_indices(start, end) if self.read_indices else self.indices[start:end]
        count = -(-self.num_docs // BLOCK_ROWS)
        starts = np.searchsorted(rows, np.arange(count + 1, dtype=np.int64) * BLOCK_ROWS)
        bounds = np.zeros(count, dtype=np.float32)
        filled = np.flatnonzero(starts[1:] > starts[:-1])
        # Rows ascend, so each block's postings are one run.
        bounds[filled] = np.maximum.reduceat(data, starts[filled])
        if len(self._blocks) >= BLOCK_CACHE_TERMS:
            self._blocks.clear()  # a bound on memory; the common terms come back at once
        self._blocks[term] = (bounds, starts.astype(np.int32 if end - start < 2**31 else np.int64))
        return self._blocks[term]


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
        lengths = self.stops - self.starts
        # Concatenated aranges, made at once: a routed filter has thousands of ranges.
        shift = self.starts - (np.cumsum(lengths) - lengths)
        return np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(shift, lengths)

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
    looked up for these rows by binary search (within each row's block where the list has
    block starts). Either way each row gets the same float32 additions in the same order as
    the full sum."""
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
        # Blocks already made only: a few rows' lookups do not pay for reading a whole list.
        starts = postings.block_starts(term, make=False)
        if starts is None:
            at = np.searchsorted(listed, rows)
        else:
            blocks = rows // BLOCK_ROWS
            at = _lower_bounds(listed, rows, starts[blocks], starts[blocks + 1])
        inside = at < len(listed)
        inside[inside] = listed[at[inside]] == rows[inside]
        if scratch is None:
            out[inside] += postings.data[start:end][at[inside]]
        else:
            scratch[rows[inside]] += postings.data[start:end][at[inside]]
    return out if scratch is None else scratch[rows]


def _lower_bounds(
    listed: np.ndarray, rows: np.ndarray, low: np.ndarray, high: np.ndarray
) -> np.ndarray:
    """np.searchsorted(listed, rows) where each row's position is known to lie within
    [low, high): a binary search of all rows at once within their windows. A window is one
    block's postings, a few cache lines, where a search of the whole list misses the cache
    at every step."""
    low, high = low.astype(np.int64), high.astype(np.int64)
    last = len(listed) - 1
    for _ in range(int((high - low).max(initial=0)).bit_length()):
        active = low < high
        middle = (low + high) >> 1
        less = active & (listed[np.minimum(middle, last)] < rows)
        low = np.where(less, middle + 1, low)
        high = np.where(active & ~less, middle, high)
    return low


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
    taken = 0
    for i, term in enumerate(order):
        start, end = postings.span(term)
        listed = postings.indices[start:end]
        at = kept_positions(listed, allowed)
        rows = np.asarray(listed[at], dtype=np.int64)
        partial[rows] += postings.data[start:end][at] * np.float32(times[term])
        taken = i + 1
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
    left = order[taken:]
    # Block bounds are made for the terms left (each list read once, then kept) only where
    # many rows are in reach by the lists' largest scores; those made already always serve.
    reach = _reach(partial[candidates], rest)
    many = int(np.count_nonzero(reach >= threshold)) > BLOCKS_FOR_ROWS
    reach = _block_reach(postings, partial[candidates], candidates, left, times, rest, many)
    if threshold > 0:
        # Rows whose partial score plus what the other terms could add stays below the
        # depth-th partial score cannot be in the top.
        keep = reach >= threshold
        candidates, reach = candidates[keep], reach[keep]
    ids, values = _scored_best(postings, terms, candidates, reach, threshold, depth)
    if len(ids) < depth:
        filler = allowed.first_rows_outside(candidates, depth - len(ids))
        ids = np.concatenate([ids, filler])
        values = np.concatenate([values, np.zeros(len(filler), dtype=np.float32)])
    return ids, values


def _block_reach(
    postings: Postings,
    partial: np.ndarray,
    rows: np.ndarray,
    left: list[int],
    times: Counter[int],
    rest: float,
    make: bool = True,
) -> np.ndarray:
    """The most each row's score can become: its partial score plus, for each term not taken,
    the term's largest score in the row's block (its largest anywhere for a short list, or,
    unless `make`, for a list whose blocks were not made yet)."""
    elsewhere = 0.0
    per_block: np.ndarray | None = None
    for term in left:
        bounds = postings.block_bounds(term, make)
        if bounds is None:
            elsewhere += times[term] * postings.largest(term)
        else:
            # Summed per block, then read once per row.
            if per_block is None:
                per_block = np.zeros(len(bounds), dtype=np.float64)
            per_block += bounds.astype(np.float64) * times[term]
    extra = np.zeros(len(rows)) if per_block is None else per_block[rows // BLOCK_ROWS]
    # Never above the bound without blocks (each block's largest is at most the list's).
    return np.minimum(_reach(partial, elsewhere) + extra * (1 + _RELATIVE), _reach(partial, rest))


def _scored_best(
    postings: Postings,
    terms: list[int],
    rows: np.ndarray,
    reach: np.ndarray,
    floor: float,
    depth: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The best `depth` of these sorted rows by exact score, ties by row, scoring the rows by
    descending reach in growing batches and dropping those whose reach falls below the depth-th
    best exact score found so far (`floor`: a lower bound on it known already)."""
    by_reach = np.argsort(-reach, kind="stable")
    ranked_rows, ranked_reach = rows[by_reach], reach[by_reach]
    # Reaches descend: the rows still worth scoring are a prefix.
    in_reach = len(ranked_rows) if floor <= 0 else _prefix(ranked_reach, floor)
    found_rows: list[np.ndarray] = []
    found_scores: list[np.ndarray] = []
    best = np.zeros(0, dtype=np.float32)
    done, batch = 0, FIRST_BATCH_DEPTHS * depth
    while done < in_reach:
        picked = np.sort(ranked_rows[done : min(in_reach, done + batch)])
        scores = exact_scores(postings, terms, picked)
        found_rows.append(picked)
        found_scores.append(scores)
        done += len(picked)
        batch *= 2
        best = np.concatenate([best, scores])
        if len(best) > depth:
            best = -np.partition(-best, depth - 1)[:depth]
        if len(best) >= depth:
            floor = max(floor, float(best.min()))
            if floor > 0:
                in_reach = max(done, _prefix(ranked_reach, floor))
    if not found_rows:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    scored = np.concatenate(found_rows)
    exact = np.concatenate(found_scores)
    by_row = np.argsort(scored, kind="stable")
    return _ranked(scored[by_row], exact[by_row], depth)


def _prefix(descending: np.ndarray, floor: float) -> int:
    """How many of these descending values are at least `floor`."""
    return int(np.searchsorted(-descending, -floor, side="right"))


def _reach(partial: np.ndarray, rest: float) -> np.ndarray:
    """The most these partial scores can become, rounding allowed for."""
    return (partial.astype(np.float64) + rest) * (1 + _RELATIVE) + _ABSOLUTE


def _above(threshold: float, rest: float) -> bool:
    """Whether `threshold` safely exceeds `rest`, float rounding of both sums allowed for."""
    return threshold * (1 - _RELATIVE) > rest * (1 + _RELATIVE) + _ABSOLUTE
