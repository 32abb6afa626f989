"""The retriever interface: what the engine asks of a search backend.

Two backends satisfy it: the embedded one in `retrieve.py` (FAISS + BM25 files in the index
folder, the default) and `milvus_backend.py` (a Milvus Lite file or a Milvus server). Both take the
question's text (for the keyword leg, tokenized the same way), its embedding, the reports routing
allows, and how many passages to return; both give the hits, best first, and the statistics of the
question's similarity to every indexed chunk that the answer step's semantic check needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from .models import Hit

if TYPE_CHECKING:
    from .retrieve import Mode


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
        question: str,
        query_vector: np.ndarray | None,
        reports: set[str] | None,
        top_k: int,
        mode: Mode,
    ) -> Candidates:
        """The best `top_k` chunks for the question among `reports` (None: every report)."""
        ...


def stats_of_scores(scores: np.ndarray | None) -> SimilarityStats | None:
    """Similarity statistics from the question's similarity to every chunk."""
    if scores is None or len(scores) == 0:
        return None
    return SimilarityStats(float(scores.mean()), float(scores.std()))


@dataclass(frozen=True)
class VectorMoments:
    """First and second moments of the chunk vectors: enough to know the mean and spread of any
    question's similarity to every chunk without scoring every chunk (E[q.v] = q.E[v] and
    E[(q.v)^2] = q' E[v v'] q), which a backend that returns only the top hits needs."""

    count: int
    mean: np.ndarray  # (dim,)
    second: np.ndarray  # (dim, dim)

    def stats(self, query_vector: np.ndarray) -> SimilarityStats | None:
        if self.count == 0:
            return None
        q = np.asarray(query_vector, dtype=np.float64).ravel()
        mean = float(q @ self.mean)
        variance = float(q @ self.second @ q) - mean * mean
        return SimilarityStats(mean, float(np.sqrt(max(variance, 0.0))))


def vector_moments(vectors: np.ndarray, batch: int = 65536) -> VectorMoments:
    """Moments over the rows of `vectors` (a memory-mapped array is read in batches)."""
    count, dim = int(vectors.shape[0]), int(vectors.shape[1])
    total = np.zeros(dim, dtype=np.float64)
    second = np.zeros((dim, dim), dtype=np.float64)
    for start in range(0, count, batch):
        rows = np.asarray(vectors[start : start + batch], dtype=np.float64)
        total += rows.sum(axis=0)
        second += rows.T @ rows
    if count:
        total /= count
        second /= count
    return VectorMoments(count, total, second)
