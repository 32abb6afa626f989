"""The answer step's document frequencies as the build stored them, read without re-counting.

The build counts, for every term, the chunks whose section and text hold it, and stores the counts
by the term's id in the keyword index's vocabulary (`answer_df.npy`). Opening an index then costs
one small array read: the vocabulary is the one the keyword index has already loaded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np

from reportqa.indexing.index_writer import ANSWER_DF, ANSWER_TERMS


class CountsByTerm(Mapping[str, int]):
    """Document frequencies stored by term id, read as a mapping from term to count. Terms of
    the vocabulary the answer step never counted (titles only) are absent, as in a dict."""

    def __init__(self, vocabulary: Mapping[str, int], counts: np.ndarray) -> None:
        if len(counts) != len(vocabulary):
            raise ValueError(
                f"{ANSWER_DF} holds {len(counts)} counts for {len(vocabulary)} keyword terms"
            )
        self._vocabulary = vocabulary
        self._counts = counts

    def __getitem__(self, term: str) -> int:
        count = int(self._counts[self._vocabulary[term]])
        if count == 0:
            raise KeyError(term)
        return count

    def __iter__(self) -> Iterator[str]:
        counts = self._counts
        return (term for term, i in self._vocabulary.items() if counts[i])

    def __len__(self) -> int:
        return int(np.count_nonzero(self._counts))


def read_answer_df(folder: Path, vocabulary: Mapping[str, int]) -> Mapping[str, int]:
    """The answer step's document frequencies in the index at `folder`.

    An index built before `answer_df.npy` existed holds the same counts in `answer_terms.json`.
    OSError or ValueError if the index holds neither, or a damaged one.
    """
    path = folder / ANSWER_DF
    if path.exists():
        return CountsByTerm(vocabulary, np.load(path))
    data = json.loads((folder / ANSWER_TERMS).read_text(encoding="utf-8"))
    df = data["df"]
    if not isinstance(df, dict):
        raise ValueError(f"{ANSWER_TERMS} is damaged")
    return df
