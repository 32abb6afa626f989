"""Writes a new index folder a batch of chunks at a time.

Every store takes the batch and lets it go: chunks go to `chunks.jsonl`, vectors are appended to
`vectors.npy`, term counts to the keyword index's work files, report texts to `reports/`. Memory
is one batch plus the vocabularies, whatever the size of the corpus or of one report. The FAISS
and BM25 files are made from the files on disk when the last report is in.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from .arrays import NpyAppender
from .chunkfile import ChunkWriter
from .dense import VECTORS, Moments, write_dense
from .keyword_build import KeywordIndexWriter
from .models import Chunk
from .tokenize import tokenize

# The answer step's term weights (document frequency over section + text of every chunk).
ANSWER_TERMS = "answer_terms.json"

StepProgress = Callable[[str], None]


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

    @property
    def count(self) -> int:
        return self._chunks.count

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray, search_texts: list[str]) -> None:
        if len(chunks) != len(vectors) or len(chunks) != len(search_texts):
            raise ValueError("chunks, vectors and texts differ in number")
        vectors = np.asarray(vectors, dtype=np.float32).reshape(-1, self.dim)
        self._chunks.append(chunks)
        self._vectors.append(vectors)
        self._moments.add(vectors)
        self._keyword.add(search_texts)
        for chunk in chunks:
            self._answer_df.update(set(tokenize(chunk.section + "\n" + chunk.text)))

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
        if progress:
            progress(f"vector index ({self.count:,} vectors)")
        write_dense(self.folder, self.dim, self._moments, progress)


def finish_keyword_index(writer: KeywordIndexWriter) -> None:
    writer.finish()
