"""Writes a new index folder a batch of chunks at a time.

Every store takes the batch and lets it go: chunks go to `chunks.jsonl`, vectors are appended to
`vectors.npy`, term counts to the keyword index's work files, report texts to `reports/`. Memory
is one batch plus the vocabularies, whatever the size of the corpus or of one report. The FAISS
and BM25 files are made from the files on disk when the last report is in.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from threadpoolctl import ThreadpoolController

from reportqa.indexing.arrays import NpyAppender
from reportqa.indexing.chunkfile import ChunkWriter
from reportqa.indexing.keyword_build import KeywordIndexWriter
from reportqa.indexing.term_table import write_answer_df
from reportqa.indexing.tokenize import _ATOM, _JOINABLE_GAP, tokenize
from reportqa.records import Chunk
from reportqa.search.dense import VECTORS, Moments, write_dense

# The answer step's term weights (document frequency over section + text of every chunk).
ANSWER_TERMS = "answer_terms.json"

StepProgress = Callable[[str], None]


@lru_cache(maxsize=1)
def _blas() -> ThreadpoolController:
    return ThreadpoolController()


def _one_blas_thread() -> Any:
    """The writer's matrix products (the vectors' moments) on one BLAS thread: a second one
    doubled their CPU time here (it spins while it waits), time taken from the embedding
    processes that share the cores."""
    return _blas().limit(limits=1, user_api="blas")


class IndexWriter:
    def __init__(self, folder: Path, dim: int) -> None:
        self.folder = folder
        self.dim = dim
        (folder / "reports").mkdir(exist_ok=True)
        self._chunks = ChunkWriter(folder)
        self._vectors = NpyAppender(folder / VECTORS, np.float32, width=dim)
        self._keyword = KeywordIndexWriter(folder)
        self._moments = Moments(dim)
        self._answer_df: Counter[str] = Counter()
        self._title: str | None = None
        self._title_counts: tuple[Counter[str], int] = (Counter(), 0)

    @property
    def count(self) -> int:
        return self._chunks.count

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray, title: str) -> None:
        """Add a batch of one report's chunks (`title`: the report's) with their vectors."""
        if len(chunks) != len(vectors):
            raise ValueError("chunks and vectors differ in number")
        vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        self._chunks.append(chunks)
        self._vectors.append(vectors)
        with _one_blas_thread():
            self._moments.add(vectors)
        title_counts, title_length = self._title_tokens(title)
        documents = []
        for chunk in chunks:
            # The keyword index sees search_text (title, section, chunk) and the answer step
            # section and chunk; a line break never joins tokens, so the section-and-chunk
            # tokens plus the title's are the search text's: tokenised once.
            body_text = chunk.section + "\n" + chunk.text
            body = tokenize(body_text)
            counts = Counter(body)
            self._answer_df.update(counts.keys())
            joined = _junction(title, body_text)
            # The search text's counts, in the order `Counter(body + [joined]) + title_counts`
            # gives them (term ids follow it), without counting the body twice.
            counts = counts.copy()
            if joined:
                counts[joined] += 1
            counts.update(title_counts)
            documents.append((counts, len(body) + (joined is not None) + title_length))
        self._keyword.add_counts(documents)

    def _title_tokens(self, title: str) -> tuple[Counter[str], int]:
        if self._title != title:
            tokens = tokenize(title)
            self._title, self._title_counts = title, (Counter(tokens), len(tokens))
        return self._title_counts

    def write_text(self, report_id: str, text: str) -> None:
        (self.folder / "reports" / f"{report_id}.txt").write_text(
            text, encoding="utf-8", newline=""
        )

    def finish(self, progress: StepProgress | None = None) -> None:
        """Close the stores and build the search files from them."""
        self._chunks.close()
        self._vectors.close()
        (self.folder / ANSWER_TERMS).write_text(
            json.dumps({"chunks": self.count, "df": self._answer_df}, ensure_ascii=False),
            encoding="utf-8",
        )
        if progress:
            progress(f"keyword index ({len(self._keyword.vocab):,} terms)")
        finish_keyword_index(self._keyword)
        write_answer_df(self.folder / "bm25", self._keyword.vocab, self._answer_df)
        if progress:
            progress(f"vector index ({self.count:,} vectors)")
        write_dense(self.folder, self.dim, self._moments, progress)


@lru_cache(maxsize=64)
def _last_atom(title: str) -> re.Match[str] | None:
    found = list(_ATOM.finditer(title))
    return found[-1] if found else None


def _junction(title: str, body: str) -> str | None:
    """The bigram that `tokenize(title + "\n" + body)` forms across the line break, if any (a
    single line break does not separate atoms: see tokenize._JOINABLE_GAP)."""
    last = _last_atom(title)
    first = _ATOM.search(body)
    if last is None or first is None:
        return None
    if not _JOINABLE_GAP.match(title[last.end() :] + "\n" + body[: first.start()]):
        return None
    return last.group().lower() + "|" + first.group().lower()


def finish_keyword_index(writer: KeywordIndexWriter) -> None:
    writer.finish()
