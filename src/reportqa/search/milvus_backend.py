"""A second search backend on Milvus: a Milvus Lite file, or a Milvus standalone or cluster.

The index folder stays the source of truth: `reportqa index` builds it as always (chunks,
vectors, BM25), then `--backend milvus` copies what changed into one Milvus collection per index
(see `milvus_sync.py`). Questions then search Milvus for candidates: a dense search and a sparse
search holding the project's own BM25 weights (sent as sparse vectors, so tokenization and scores
are the same as the embedded backend's), fused on the client with the same weighted reciprocal-rank
fusion (`retrieve.fuse`). Routing filters become Milvus filter expressions (`report in [...]`).

Version pins (pyproject extra `milvus`): milvus-lite 2.5.x runs the C++ engine the server uses;
milvus-lite 3.x is a pure-Python rewrite that measured 10-60x slower here (hybrid 181 ms vs 7 ms
at 15k chunks), lost acknowledged inserts under concurrent clients and returned negative BM25
scores, so the 2.5 line (with pymilvus 2.6.x) is what this backend is tested on.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import sys
import time
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from reportqa.errors import IndexUnusableError, InputError, ReportQAError
from reportqa.indexing.tokenize import tokenize
from reportqa.records import Chunk, Hit
from reportqa.search.backend import Candidates, SimilarityStats
from reportqa.search.retrieve import FusionSettings, KeywordIndex, Mode, fuse

if TYPE_CHECKING:
    from reportqa.engine import Engine

SCHEMA_VERSION = 1
CONNECT_TIMEOUT_S = 60.0
# Milvus VARCHAR limits are in bytes; a Chinese character takes three.
MAX_TEXT_BYTES = 65535


@dataclass(frozen=True)
class MilvusSettings:
    uri: str
    token: str = ""
    collection: str = ""  # empty: derived from the index folder's name


def check_uri(uri: str | None) -> str:
    """A server address (http://host:19530) or a Milvus Lite file (*.db); anything else is an
    input error, as pymilvus would otherwise treat it as a server name."""
    if not uri or not uri.strip():
        raise InputError(
            "--backend milvus needs --milvus-uri (or REPORTQA_MILVUS_URI): a Milvus Lite file "
            "such as ./milvus.db, or a server such as http://localhost:19530."
        )
    uri = uri.strip()
    if re.match(r"^(https?|tcp|grpc|unix)://", uri):
        return uri
    if uri.endswith(".db"):
        name = Path(uri).name
        # Milvus Lite's own limits on the file name (it names a socket after it).
        if not re.fullmatch(r"[A-Za-z0-9.\-_]{1,36}", name):
            raise InputError(
                f"Milvus Lite file name {name!r}: use at most 36 ASCII letters, digits, dots, "
                "dashes and underscores."
            )
        return uri
    raise InputError(
        f"--milvus-uri {uri!r} is neither a server address (http://host:19530) nor a Milvus Lite "
        "file ending in .db."
    )


def collection_name(index_dir: Path, wanted: str = "") -> str:
    """One collection per index: `reportqa_<index folder name>` unless one is named."""
    name = wanted or "reportqa_" + re.sub(r"[^0-9A-Za-z_]", "_", index_dir.resolve().name)
    if not re.fullmatch(r"[A-Za-z_][0-9A-Za-z_]{0,254}", name):
        raise InputError(
            f"Milvus collection name {name!r}: use letters, digits and underscores, "
            "starting with a letter."
        )
    return name


def chunk_key(chunk: Chunk) -> str:
    """The primary key of a chunk's row: stable while its report is unchanged, whatever happens
    to the other reports (row numbers in the index folder shift when reports come and go)."""
    return f"{chunk.report}#{chunk.start}-{chunk.end}"


def report_filter(reports: set[str] | None) -> str:
    """A Milvus filter expression for routing, with the ids as literal strings."""
    if not reports:
        return ""
    return "report in [" + ", ".join(string_literal(r) for r in sorted(reports)) + "]"


def string_literal(value: str) -> str:
    # JSON string escaping (quotes, backslashes, control characters) is what Milvus's
    # expression parser accepts; non-ASCII stays as it is.
    return json.dumps(value, ensure_ascii=False)


def _import_milvus_lite() -> None:
    """Import milvus-lite 2.5, which reads its own version with pkg_resources: setuptools 81 and
    later no longer ship that module. A stand-in serves that one import and is taken away at once,
    so that other packages (jieba) keep seeing the real situation."""
    try:
        import pkg_resources  # noqa: F401
    except ImportError:
        pass
    else:
        return
    stand_in = types.ModuleType("pkg_resources")
    stand_in.DistributionNotFound = importlib.metadata.PackageNotFoundError  # type: ignore[attr-defined]
    stand_in.get_distribution = lambda name: types.SimpleNamespace(  # type: ignore[attr-defined]
        version=importlib.metadata.version(name)
    )
    sys.modules["pkg_resources"] = stand_in
    try:
        import milvus_lite  # noqa: F401
    except ImportError:
        pass  # a server URI needs no milvus-lite
    finally:
        del sys.modules["pkg_resources"]


def connect(settings: MilvusSettings) -> Any:
    """A MilvusClient; a .db path starts Milvus Lite (embedded, one process per file)."""
    try:
        _import_milvus_lite()
        from pymilvus import MilvusClient
    except ImportError as exc:
        raise InputError(
            "The Milvus backend needs pymilvus and milvus-lite: pip install 'reportqa[milvus]'"
        ) from exc
    uri = check_uri(settings.uri)
    if uri.endswith(".db"):
        Path(uri).expanduser().parent.mkdir(parents=True, exist_ok=True)
    attempts = 2 if uri.endswith(".db") else 1
    for attempt in range(1, attempts + 1):
        try:
            # Milvus Lite starts a server process; on a busy machine it can take longer than
            # the client's default wait for a ready connection.
            return MilvusClient(uri=uri, token=settings.token or "", timeout=CONNECT_TIMEOUT_S)
        except Exception as exc:  # pymilvus raises its own and gRPC's errors
            if attempt == attempts:
                raise ReportQAError(f"Cannot reach Milvus at {uri}: {exc}") from exc
            # Once seen here on a loaded machine: a Lite server that never answered its first
            # connection. A fresh server process then starts normally.
            _release_lite_server(uri)
            time.sleep(1.0)
    raise AssertionError("unreachable")


def _release_lite_server(uri: str) -> None:
    try:
        from milvus_lite.server_manager import server_manager_instance

        server_manager_instance.release_server(uri)
    except Exception:  # nothing to release
        pass


def query_sparse(question: str, keyword: KeywordIndex) -> dict[int, float]:
    """The question as a sparse vector over the BM25 vocabulary: each known token's count, so
    that its inner product with a chunk's BM25 weights is the chunk's BM25 score."""
    vocab = keyword._vocab  # the same vocabulary the embedded backend filters tokens with
    weights: dict[int, float] = {}
    for token in tokenize(question):
        if token in vocab:
            weights[int(vocab[token])] = weights.get(int(vocab[token]), 0.0) + 1.0
    return weights


class MilvusRetriever:
    """Candidates from a Milvus collection kept in step with an index folder."""

    name = "milvus"

    def __init__(
        self,
        client: Any,
        collection: str,
        chunks: Sequence[Chunk],
        keyword: KeywordIndex,
        similarity_stats: Callable[[np.ndarray], SimilarityStats],
        fusion: FusionSettings | None = None,
    ) -> None:
        self.client = client
        self.collection = collection
        self.chunks = chunks
        self.keyword = keyword
        # The question's similarity to every chunk, from the index's stored vector moments:
        # Milvus returns only the top hits.
        self.similarity_stats = similarity_stats
        self.fusion = fusion or FusionSettings()
        self._row_of = {chunk_key(c): row for row, c in enumerate(chunks)}
        self._report_of = np.array([c.report for c in chunks], dtype=object)

    def _search(self, field: str, vector: Any, limit: int, expr: str) -> list[tuple[int, float]]:
        """(row, score) pairs, best first, mapped back to the index folder's rows."""
        params: dict[str, Any] = {"metric_type": "IP"}
        if field == "sparse":
            params["params"] = {"drop_ratio_search": 0.0}
        try:
            result = self.client.search(
                self.collection,
                data=[vector],
                anns_field=field,
                limit=limit,
                filter=expr,
                output_fields=[],
                search_params=params,
            )
        except Exception as exc:
            raise ReportQAError(f"Milvus search in {self.collection} failed: {exc}") from exc
        pairs = []
        for hit in result[0]:
            row = self._row_of.get(str(hit["id"]))
            if row is None:
                raise IndexUnusableError(
                    f"The Milvus collection {self.collection} holds a passage the index does not "
                    f"({hit['id']}); bring it up to date: reportqa index --backend milvus"
                )
            pairs.append((row, float(hit["distance"])))
        # Ties in the order the embedded backend breaks them (index order).
        pairs.sort(key=lambda pair: (-pair[1], pair[0]))
        return pairs

    def candidates(
        self,
        query: str,
        query_vector: np.ndarray | None,
        reports: set[str] | None,
        top_k: int,
        mode: Mode,
    ) -> Candidates:
        expr = report_filter(reports)
        dense_vector = (
            None
            if query_vector is None or mode == "keyword"
            else np.asarray(query_vector, dtype=np.float32).ravel().tolist()
        )
        sparse = query_sparse(query, self.keyword)
        stats = None if query_vector is None else self.similarity_stats(query_vector)
        if mode == "dense" and dense_vector is not None:
            ranked = self._search("dense", dense_vector, top_k, expr)
        elif dense_vector is None:
            ranked = [
                (row, score)
                for row, score in (self._search("sparse", sparse, top_k, expr) if sparse else [])
                if score > 0
            ]
        else:
            ranked = self._fused(dense_vector, sparse, reports, expr, top_k)
        return Candidates([Hit(row, self.chunks[row], score) for row, score in ranked], stats)

    def _fused(
        self,
        dense_vector: list[float],
        sparse: dict[int, float],
        reports: set[str] | None,
        expr: str,
        top_k: int,
    ) -> list[tuple[int, float]]:
        """Each leg's top `depth` from Milvus, fused with the embedded backend's own function.

        A chunk Milvus did not return is below that leg's top `depth`, or (keyword leg) shares no
        term with the question: a zero BM25 score, exactly what the embedded backend sees.
        """
        depth = self.fusion.depth
        n = len(self.chunks)
        allowed = np.isin(self._report_of, list(reports)) if reports else np.ones(n, dtype=bool)
        keyword_scores = np.zeros(n, dtype=np.float32)
        for row, score in self._search("sparse", sparse, depth, expr) if sparse else []:
            keyword_scores[row] = score
        dense_scores = np.full(n, -np.inf, dtype=np.float32)
        for row, score in self._search("dense", dense_vector, depth, expr):
            dense_scores[row] = score
        fused = fuse(keyword_scores, dense_scores, allowed, self.fusion)
        order = np.argsort(-fused, kind="stable")[:top_k]
        return [(int(i), float(fused[i])) for i in order if fused[i] > 0]


def open_milvus_backend(engine: Engine, settings: MilvusSettings) -> MilvusRetriever:
    """A Milvus backend over the engine's index; refuses a collection that is not in step."""
    from reportqa.search.milvus_sync import check_collection

    client = connect(settings)
    name = collection_name(engine.index_dir, settings.collection)
    try:
        check_collection(client, name, engine.manifest, len(engine.chunks))
    except BaseException:
        client.close()
        raise
    embedded = engine.retriever  # the same keyword vocabulary, vector moments and fusion
    return MilvusRetriever(
        client, name, engine.chunks, embedded.keyword, embedded.similarity_stats, embedded.fusion
    )


@dataclass(frozen=True)
class BackendChoice:
    """The backend a command was asked to use (the command-line options, read together)."""

    name: str = "faiss"
    milvus: MilvusSettings | None = None

    @classmethod
    def of(
        cls, name: str, uri: str | None, token: str | None, collection: str | None
    ) -> BackendChoice:
        if name != "milvus":
            return cls(name)
        return cls(name, MilvusSettings(check_uri(uri), token or "", collection or ""))

    def apply(self, engine: Engine) -> None:
        """Point the engine at this backend (the embedded one needs nothing)."""
        if self.milvus is not None:
            engine.backend = open_milvus_backend(engine, self.milvus)

    def sync(self, index_dir: Path) -> str | None:
        """Bring the Milvus collection in step with the index folder; what was done, or None."""
        if self.milvus is None:
            return None
        from reportqa.search.milvus_sync import sync_index

        result = sync_index(index_dir, self.milvus)
        return result.summary()
