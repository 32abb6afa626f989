"""Keep a Milvus collection in step with an index folder, writing only the rows that changed.

One row per chunk: its key (report#start-end), report, offsets, page, section, text, dense vector,
sparse vector of BM25 weights, and a fingerprint of everything else in the row. A sync reads the
keys and fingerprints already in the collection, deletes the reports that left the index (by a
`report in [...]` filter) and the chunks a changed report no longer has, and upserts the rows
whose fingerprint differs. Nothing is embedded here: the vectors come from the index folder.

BM25 weights depend on corpus-wide statistics (term rarity, average chunk length), so adding or
removing a report also changes the keyword weights of other reports' chunks; those rows are
rewritten too (counted apart in the result), which keeps keyword scores identical to the embedded
backend's.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from reportqa.errors import IndexUnusableError, ReportQAError
from reportqa.indexing.manifest import Manifest
from reportqa.indexing.store import read_index
from reportqa.records import Chunk
from reportqa.search.milvus_backend import (
    MAX_TEXT_BYTES,
    SCHEMA_VERSION,
    MilvusSettings,
    chunk_key,
    collection_name,
    connect,
    report_filter,
    string_literal,
)
from reportqa.search.retrieve import KeywordIndex

# Rows per insert/upsert call: well under gRPC's 64 MB message limit with 512-d vectors.
BATCH_ROWS = 1000


@dataclass
class SyncResult:
    collection: str
    rows: int
    changed_reports: list[str] = field(default_factory=list)
    removed_reports: list[str] = field(default_factory=list)
    rows_written: int = 0
    rows_deleted: int = 0
    # Rows of unchanged reports rewritten because their BM25 weights moved with the corpus.
    rows_reweighted: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"Milvus collection {self.collection}: {self.rows} passages; "
            f"changed reports: {', '.join(self.changed_reports) or 'none'}"
            + (f"; removed: {', '.join(self.removed_reports)}" if self.removed_reports else "")
            + f"; {self.rows_written} rows written ({self.rows_reweighted} for keyword weights "
            f"only), {self.rows_deleted} deleted, in {self.seconds:.2f} s"
        )


def describe(manifest: Manifest) -> dict[str, Any]:
    """What a collection's rows depend on besides the reports: a mismatch means a new one."""
    return {
        "reportqa_schema": SCHEMA_VERSION,
        "embedder": manifest.embedder.name,
        "dim": manifest.embedder.dim,
        "tokenizer": manifest.tokenizer,
        "chunker": manifest.chunker.to_json(),
    }


@dataclass(frozen=True)
class ChunkWeights:
    """The BM25 weight of every (chunk, term) pair, chunk-major: chunk i's terms are
    `terms[starts[i]:starts[i + 1]]`, with `weights` alongside."""

    starts: np.ndarray
    terms: np.ndarray
    weights: np.ndarray

    def of(self, chunk: int) -> dict[int, float]:
        terms, weights = self._slice(chunk)
        keep = weights > 0
        return dict(zip(terms[keep].tolist(), weights[keep].tolist(), strict=True))

    def fingerprint(self, chunk: int) -> str:
        terms, weights = self._slice(chunk)  # terms ascending within a chunk (see bm25_rows)
        return hashlib.sha1(terms.tobytes() + weights.tobytes()).hexdigest()

    def _slice(self, chunk: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = int(self.starts[chunk]), int(self.starts[chunk + 1])
        return self.terms[lo:hi], self.weights[lo:hi]


def bm25_rows(keyword: KeywordIndex) -> ChunkWeights:
    """A chunk's BM25 weights, dotted with the question's term counts, give its BM25 score.

    bm25s keeps the weights precomputed term-major (one column per term); this turns them around.
    """
    scores = keyword._model.scores  # the bm25s model the embedded backend scores with
    indptr = np.asarray(scores["indptr"], dtype=np.int64)
    docs = np.asarray(scores["indices"], dtype=np.int64)
    terms = np.repeat(np.arange(len(indptr) - 1, dtype=np.int64), np.diff(indptr))
    order = np.argsort(docs, kind="stable")
    counts = np.bincount(docs, minlength=int(scores["num_docs"]))
    starts = np.concatenate([[0], np.cumsum(counts)])
    return ChunkWeights(starts, terms[order], np.asarray(scores["data"])[order])


def clip_utf8(text: str, limit: int = MAX_TEXT_BYTES) -> str:
    """Text that fits a VARCHAR of `limit` bytes. The stored text is for people browsing the
    collection; citations always come from the index folder's report texts."""
    data = text.encode("utf-8")
    return text if len(data) <= limit else data[:limit].decode("utf-8", errors="ignore")


def _content_fingerprint(chunk: Chunk, report_sha: str, vector: np.ndarray) -> str:
    digest = hashlib.sha1()
    fields = [chunk.report, chunk.section, chunk.start, chunk.end, chunk.text, chunk.page]
    digest.update(json.dumps([fields, report_sha], ensure_ascii=False).encode("utf-8"))
    digest.update(np.ascontiguousarray(vector, dtype=np.float32).tobytes())
    return digest.hexdigest()


def _desired_rows(index_dir: Path) -> tuple[Manifest, dict[str, dict[str, Any]]]:
    """The manifest and every row the collection should hold, by key."""
    files = read_index(index_dir)
    weights = bm25_rows(KeywordIndex.load(index_dir))
    reports = files.manifest.reports
    rows: dict[str, dict[str, Any]] = {}
    for i, chunk in enumerate(files.chunks):
        key = chunk_key(chunk)
        if key in rows:
            raise IndexUnusableError(f"Two chunks share the key {key}; rebuild the index.")
        sparse = weights.of(i)
        vector = np.asarray(files.vectors[i], dtype=np.float32)
        entry = reports[chunk.report]
        # The title is embedded with every chunk (retrieve.search_text): part of its content.
        report_sha = f"{entry.sha256}:{entry.title}"
        rows[key] = {
            "pk": key,
            "report": chunk.report,
            "start_offset": chunk.start,
            "end_offset": chunk.end,
            "page": -1 if chunk.page is None else chunk.page,
            "section": clip_utf8(chunk.section),
            "text": clip_utf8(chunk.text),
            "dense": vector.tolist(),
            "sparse": sparse,
            "content_fp": _content_fingerprint(chunk, report_sha, vector),
            "weights_fp": weights.fingerprint(i),
        }
    return files.manifest, rows


def create_collection(client: Any, name: str, manifest: Manifest) -> None:
    from pymilvus import DataType, MilvusClient

    schema = MilvusClient.create_schema(
        auto_id=False,
        enable_dynamic_field=False,
        description=json.dumps(describe(manifest), ensure_ascii=False),
    )
    schema.add_field("pk", DataType.VARCHAR, is_primary=True, max_length=1024)
    schema.add_field("report", DataType.VARCHAR, max_length=512)
    schema.add_field("start_offset", DataType.INT64)
    schema.add_field("end_offset", DataType.INT64)
    schema.add_field("page", DataType.INT64)
    schema.add_field("section", DataType.VARCHAR, max_length=MAX_TEXT_BYTES)
    schema.add_field("text", DataType.VARCHAR, max_length=MAX_TEXT_BYTES)
    schema.add_field("dense", DataType.FLOAT_VECTOR, dim=describe(manifest)["dim"])
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    schema.add_field("content_fp", DataType.VARCHAR, max_length=64)
    schema.add_field("weights_fp", DataType.VARCHAR, max_length=64)
    index_params = client.prepare_index_params()
    # FLAT: exact inner product, the same ranking as the embedded backend's IndexFlatIP. A large
    # collection on a server would take HNSW here (see README).
    index_params.add_index(field_name="dense", index_type="FLAT", metric_type="IP")
    index_params.add_index(
        field_name="sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="IP"
    )
    # Strong consistency: a question right after a sync sees the rows it wrote.
    client.create_collection(
        name, schema=schema, index_params=index_params, consistency_level="Strong"
    )


def collection_description(client: Any, name: str) -> dict[str, Any]:
    try:
        return dict(json.loads(client.describe_collection(name).get("description") or "{}"))
    except (ValueError, TypeError):
        return {}


def _existing_rows(client: Any, name: str) -> Iterator[dict[str, Any]]:
    # Milvus Lite gives the iterator no server timestamp, and pymilvus logs a warning before it
    # uses the client's; with Strong consistency that is harmless, so it is not shown.
    iterator_log = logging.getLogger("pymilvus.orm.iterator")
    level = iterator_log.level
    iterator_log.setLevel(logging.ERROR)
    try:
        iterator = client.query_iterator(
            name,
            batch_size=BATCH_ROWS,
            filter="",
            output_fields=["pk", "report", "content_fp", "weights_fp"],
        )
        try:
            while batch := iterator.next():
                yield from batch
        finally:
            iterator.close()
    finally:
        iterator_log.setLevel(level)


def _batches(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), BATCH_ROWS):
        yield rows[start : start + BATCH_ROWS]


def sync_collection(client: Any, name: str, index_dir: Path) -> SyncResult:
    """Make the collection `name` hold exactly the index folder's chunks."""
    started = time.perf_counter()
    manifest, desired = _desired_rows(index_dir)
    if client.has_collection(name) and collection_description(client, name) != describe(manifest):
        # Another embedder, tokenizer or chunker: every row differs, start over.
        client.drop_collection(name)
    if not client.has_collection(name):
        create_collection(client, name, manifest)
    client.load_collection(name)

    existing = {str(row["pk"]): row for row in _existing_rows(client, name)}
    local_reports = {row["report"] for row in desired.values()}
    removed = sorted({str(row["report"]) for row in existing.values()} - local_reports)
    if removed:
        client.delete(name, filter=report_filter(set(removed)))
    stale = [
        key
        for key, row in existing.items()
        if row["report"] in local_reports and key not in desired
    ]
    for start in range(0, len(stale), BATCH_ROWS):
        keys = ", ".join(string_literal(k) for k in stale[start : start + BATCH_ROWS])
        client.delete(name, filter=f"pk in [{keys}]")

    # A report has changed when one of its rows is new, gone or holds other content; a row of an
    # unchanged report whose keyword weights alone differ is reweighted.
    changed = {str(existing[key]["report"]) for key in stale}
    to_write = []
    for key, row in desired.items():
        held = existing.get(key)
        if held is None or held["content_fp"] != row["content_fp"]:
            changed.add(row["report"])
            to_write.append(row)
        elif held["weights_fp"] != row["weights_fp"]:
            to_write.append(row)
    reweighted = sum(1 for row in to_write if row["report"] not in changed)
    for batch in _batches(to_write):
        client.upsert(name, data=batch)
    return SyncResult(
        collection=name,
        rows=len(desired),
        changed_reports=sorted(changed),
        removed_reports=removed,
        rows_written=len(to_write),
        rows_deleted=sum(1 for row in existing.values() if row["report"] in removed) + len(stale),
        rows_reweighted=reweighted,
        seconds=time.perf_counter() - started,
    )


def sync_index(index_dir: Path, settings: MilvusSettings) -> SyncResult:
    client = connect(settings)
    try:
        return sync_collection(client, collection_name(index_dir, settings.collection), index_dir)
    except ReportQAError:
        raise
    except Exception as exc:  # pymilvus and gRPC errors
        raise ReportQAError(
            f"Syncing the index into Milvus at {settings.uri} failed: {exc}"
        ) from exc
    finally:
        client.close()


def check_collection(client: Any, name: str, manifest: Manifest, chunk_count: int) -> None:
    """Refuse a collection that is missing, built with other settings, or of another size."""
    hint = "Bring it up to date: reportqa index --backend milvus --milvus-uri ..."
    if not client.has_collection(name):
        raise IndexUnusableError(f"No Milvus collection {name}. {hint}")
    if collection_description(client, name) != describe(manifest):
        raise IndexUnusableError(
            f"The Milvus collection {name} was built with other settings. {hint}"
        )
    client.load_collection(name)
    rows = count_rows(client, name)
    if rows != chunk_count:
        raise IndexUnusableError(
            f"The Milvus collection {name} holds {rows} passages, the index {chunk_count}. {hint}"
        )


def count_rows(client: Any, name: str) -> int:
    """Rows in the collection, deletions counted (collection statistics may lag behind them)."""
    return int(client.query(name, filter="", output_fields=["count(*)"])[0]["count(*)"])
