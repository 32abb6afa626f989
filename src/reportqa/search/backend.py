"""The retriever interface: what the engine asks of a search backend.

Two backends satisfy it: the embedded one in `retrieve.py` (FAISS + BM25 files in the index
folder, the default) and `milvus_backend.py` (a Milvus Lite file or a Milvus server). Like
pyserini's and haystack's retrievers, both take the query as text (for the keyword leg, tokenized
the same way) and as a vector (for the dense leg): the engine embeds the question once, and no
backend holds an embedder. Both also take the reports routing allows and how many passages to
return; both give the hits, best first, and the statistics of the question's similarity to every
indexed chunk that the answer step's semantic check needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from reportqa.records import Hit

if TYPE_CHECKING:
    from reportqa.search.retrieve import Mode


@dataclass(frozen=True)
class SimilarityStats:
    """Mean and standard deviation of the question's cosine similarity over every indexed chunk."""

    mean: float
    std: float


@dataclass(frozen=True)
class Candidates:
    hits: list[Hit]
    # None when the question was not embedded (keyword-only retrieval).
    similarity: SimilarityStats | None


class SearchBackend(Protocol):
    name: str

    def candidates(
        self,
        query: str,
        query_vector: np.ndarray | None,
        reports: set[str] | None,
        top_k: int,
        mode: Mode,
    ) -> Candidates:
        """The best `top_k` chunks among `reports` (None: every report) for the keyword query
        `query` and the embedded question `query_vector` (None: keyword retrieval only)."""
        ...
