"""The keyword vocabulary on disk: terms sorted, looked up by binary search in a memory map.

A served index needs a term's id (its BM25 posting list) and the answer step's document frequency
of the question's few dozen terms, never the whole vocabulary. Held as Python dicts, the
vocabulary of 10,000 reports (an estimated 2.5 M character unigrams and bigrams, by Heaps' law
fitted on 107 real reports) would take about 650 MB of a server's memory and seconds to parse
from JSON; mapped from these files it takes the pages the lookups touch.

Files, in the index's `bm25/` folder:
  terms.bin          the terms in UTF-8, concatenated in byte order
  terms.offsets.npy  where each term starts in terms.bin (and the file's end)
  terms.ids.npy      each sorted term's id in the BM25 arrays
  terms.answer_df.npy  the answer step's document frequency of each term, by id
"""

from __future__ import annotations

import mmap
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from reportqa.indexing.arrays import load_mapped

TERMS = "terms.bin"
OFFSETS = "terms.offsets.npy"
IDS = "terms.ids.npy"
ANSWER_DF = "terms.answer_df.npy"


def write_term_table(folder: Path, vocab: Mapping[str, int]) -> None:
    """Write `vocab` (term -> id) as a sorted table into `folder`."""
    encoded = sorted((term.encode("utf-8"), term_id) for term, term_id in vocab.items())
    offsets = np.zeros(len(encoded) + 1, dtype=np.uint64)
    np.cumsum([len(term) for term, _ in encoded], out=offsets[1:])
    (folder / TERMS).write_bytes(b"".join(term for term, _ in encoded))
    np.save(folder / OFFSETS, offsets)
    np.save(folder / IDS, np.array([term_id for _, term_id in encoded], dtype=np.int64))


def write_answer_df(folder: Path, vocab: Mapping[str, int], df: Mapping[str, int]) -> None:
    """The answer step's document frequencies by term id (every answer term is a keyword term:
    the keyword index sees the same section and chunk text, plus the title)."""
    by_id = np.zeros(len(vocab), dtype=np.int64)
    for term, count in df.items():
        by_id[vocab[term]] = count
    np.save(folder / ANSWER_DF, by_id)


def has_term_table(folder: Path) -> bool:
    return all((folder / name).exists() for name in (TERMS, OFFSETS, IDS))


def _map_bytes(path: Path) -> mmap.mmap:
    with path.open("rb") as handle:
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


class TermTable(Mapping[str, int]):
    """term -> id, read from the sorted table on disk."""

    def __init__(self, folder: Path) -> None:
        # Still memory-mapped, but read as plain arrays and bytes: every access to a np.memmap
        # builds a memmap object, which made a lookup's binary search about 7 times slower.
        self._offsets = np.asarray(load_mapped(folder / OFFSETS))
        self._ids = np.asarray(load_mapped(folder / IDS))
        size = (folder / TERMS).stat().st_size
        if len(self._offsets) != len(self._ids) + 1 or int(self._offsets[-1]) != size:
            raise ValueError(f"{TERMS} does not match {OFFSETS}")
        self._terms: Any = _map_bytes(folder / TERMS) if size else b""

    def _term(self, position: int) -> bytes:
        start, end = int(self._offsets[position]), int(self._offsets[position + 1])
        return bytes(self._terms[start:end])

    def position(self, term: str) -> int:
        """The term's place in sorted order, or -1."""
        wanted = term.encode("utf-8")
        low, high = 0, len(self._ids)
        while low < high:
            middle = (low + high) // 2
            if self._term(middle) < wanted:
                low = middle + 1
            else:
                high = middle
        return low if low < len(self._ids) and self._term(low) == wanted else -1

    def __getitem__(self, term: str) -> int:
        if not isinstance(term, str):
            raise KeyError(term)
        position = self.position(term)
        if position < 0:
            raise KeyError(term)
        return int(self._ids[position])

    def __contains__(self, term: object) -> bool:
        return isinstance(term, str) and self.position(term) >= 0

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[str]:
        for position in range(len(self._ids)):
            yield self._term(position).decode("utf-8")


class AnswerFrequencies(Mapping[str, int]):
    """The answer step's document frequency of a term (0 when it is in no chunk's text)."""

    def __init__(self, terms: TermTable, folder: Path) -> None:
        self._terms = terms
        self._df = load_mapped(folder / ANSWER_DF)
        if len(self._df) != len(terms):
            raise ValueError(f"{ANSWER_DF} does not match the vocabulary")

    def __getitem__(self, term: str) -> int:
        count = int(self._df[self._terms[term]])
        if count == 0:
            raise KeyError(term)
        return count

    def __len__(self) -> int:
        return int(np.count_nonzero(self._df))

    def __iter__(self) -> Iterator[str]:
        for term in self._terms:
            if self._df[self._terms[term]]:
                yield term
