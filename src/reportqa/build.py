"""Build the index from report files: parse, chunk, embed, and write atomically.

Reports whose content and settings are unchanged keep their vectors from the previous index, so
adding, changing or removing one report re-embeds that report only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from .embed import Embedder
from .errors import InputError
from .guard import guarded_index_write
from .ingest import SourceReport
from .integrity import missing_files
from .metadata import ReportMeta, detect_meta
from .models import Chunk
from .parse import ChunkSettings, chunk_report, parse_report
from .retrieve import build_dense_index, build_keyword_index, search_text
from .store import FORMAT_VERSION, IndexFiles, read_index, read_manifest, write_index
from .tokenize import TOKENIZER_NAME

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildResult:
    changed: bool
    reports: int
    chunks: int
    embedded_reports: list[str]
    removed_reports: list[str]
    seconds: float


def settings_fingerprint(embedder_name: str, chunking: ChunkSettings) -> dict[str, Any]:
    return {
        "format_version": FORMAT_VERSION,
        "embedder": embedder_name,
        "tokenizer": TOKENIZER_NAME,
        "chunker": asdict(chunking),
    }


def _same_settings(manifest: dict[str, Any], fingerprint: dict[str, Any]) -> bool:
    return all(
        (manifest.get(key) == value)
        if key != "embedder"
        else (manifest.get("embedder", {}).get("name") == value)
        for key, value in fingerprint.items()
    )


def is_up_to_date(
    index_dir: Path, reports: list[SourceReport], fingerprint: dict[str, Any]
) -> bool:
    manifest = read_manifest(index_dir)
    if manifest is None or not _same_settings(manifest, fingerprint):
        return False
    if missing_files(index_dir, manifest):  # a file deleted or cut short: rebuild it
        return False
    indexed = {rid: entry.get("sha256") for rid, entry in manifest.get("reports", {}).items()}
    if indexed != {r.id: r.sha256 for r in reports}:
        return False
    # An edited sidecar (or better detection) changes a report's metadata but not its file.
    entries = manifest.get("reports", {})
    return all(
        _meta_of(entries[r.id]) == report_meta(r).to_dict() for r in reports if r.id in entries
    )


def report_meta(report: SourceReport) -> ReportMeta:
    return detect_meta(parse_report(report.text).title, report.id, report.sidecar, report.text)


def _meta_of(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: entry.get(key) for key in ReportMeta.__dataclass_fields__}


def _previous_vectors(
    index_dir: Path, fingerprint: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, tuple[list[Chunk], np.ndarray]]]:
    """Chunks and vectors of each report in the previous index, when its settings match."""
    manifest = read_manifest(index_dir)
    if manifest is None or not _same_settings(manifest, fingerprint):
        return {}, {}
    try:
        previous = read_index(index_dir)
    except Exception:  # a damaged index is rebuilt from scratch
        return {}, {}
    by_report: dict[str, tuple[list[Chunk], list[int]]] = {}
    for row, chunk in enumerate(previous.chunks):
        chunks, rows = by_report.setdefault(chunk.report, ([], []))
        chunks.append(chunk)
        rows.append(row)
    return manifest.get("reports", {}), {
        rid: (chunks, previous.vectors[rows]) for rid, (chunks, rows) in by_report.items()
    }


def search_files_writer(
    chunks: list[Chunk], vectors: np.ndarray, titles: dict[str, str]
) -> Callable[[Path], None]:
    """Writes the FAISS and BM25 files of these chunks into a folder."""

    def write(folder: Path) -> None:
        build_dense_index(vectors).save(folder)
        build_keyword_index([search_text(titles[c.report], c) for c in chunks]).save(folder)

    return write


@guarded_index_write
def build_index(
    reports: list[SourceReport],
    index_dir: Path,
    embedder: Embedder,
    chunking: ChunkSettings,
    progress: Progress | None = None,
    force: bool = False,
) -> BuildResult:
    started = time.perf_counter()
    fingerprint = settings_fingerprint(embedder.name, chunking)
    if not force and is_up_to_date(index_dir, reports, fingerprint):
        total = sum(
            e.get("chunks", 0) for e in (read_manifest(index_dir) or {})["reports"].values()
        )
        return BuildResult(False, len(reports), total, [], [], time.perf_counter() - started)
    old_entries, old_vectors = ({}, {}) if force else _previous_vectors(index_dir, fingerprint)

    all_chunks: list[Chunk] = []
    all_vectors: list[np.ndarray] = []
    entries: dict[str, Any] = {}
    embedded: list[str] = []
    for done, report in enumerate(reports):
        meta = report_meta(report)
        previous_entry = old_entries.get(report.id, {})
        # The title is part of what was embedded (see search_text), so a new title re-embeds.
        if (
            previous_entry.get("sha256") == report.sha256
            and previous_entry.get("title") == meta.title
            and report.id in old_vectors
        ):
            chunks, vectors = old_vectors[report.id]
        else:
            chunks = chunk_report(report.id, report.text, chunking, report.page_starts)
            texts = [search_text(meta.title, c) for c in chunks]
            vectors = embedder.embed_passages(texts)
            embedded.append(report.id)
        all_chunks.extend(chunks)
        all_vectors.append(vectors)
        entries[report.id] = {
            "file": report.path.name,
            "path": str(report.path.resolve()),  # named in the command that rebuilds the index
            "sha256": report.sha256,
            "chars": len(report.text),
            "chunks": len(chunks),
            **meta.to_dict(),
            **({"source": report.sidecar["source"]} if "source" in report.sidecar else {}),
            **({"pages": len(report.page_starts)} if report.page_starts else {}),
        }
        if progress:
            progress(report.id, done + 1, len(reports))

    vectors = (
        np.vstack(all_vectors).astype(np.float32)
        if all_vectors
        else np.zeros((0, embedder.dim), dtype=np.float32)
    )
    manifest = {
        **fingerprint,
        "embedder": {"name": embedder.name, "dim": int(embedder.dim)},
        "reportqa_version": __version__,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "chunk_count": len(all_chunks),
        "reports": entries,
    }
    titles = {rid: entry["title"] for rid, entry in entries.items()}
    write_index(
        index_dir,
        IndexFiles(manifest, all_chunks, {r.id: r.text for r in reports}, vectors),
        search_files_writer(all_chunks, vectors, titles),
    )
    removed = sorted(set(old_entries) - set(entries))
    return BuildResult(
        True, len(reports), len(all_chunks), embedded, removed, time.perf_counter() - started
    )


@guarded_index_write
def remove_reports(index_dir: Path, report_ids: list[str]) -> BuildResult:
    """Take reports out of the index, keeping every other report's vectors (nothing is embedded).

    Written like a build, into a temporary folder swapped in at the end.
    """
    started = time.perf_counter()
    files = read_index(index_dir)
    entries: dict[str, Any] = files.manifest.get("reports", {})
    unknown = [rid for rid in report_ids if rid not in entries]
    if unknown:
        raise InputError(
            f"Not in the index: {', '.join(unknown)}. Indexed: {', '.join(entries) or 'none'}"
        )
    drop = set(report_ids)
    if drop >= set(entries):
        raise InputError(
            f"Removing {', '.join(sorted(drop))} would leave the index empty; "
            f"delete the folder {index_dir} instead."
        )
    rows = [row for row, chunk in enumerate(files.chunks) if chunk.report not in drop]
    chunks = [files.chunks[row] for row in rows]
    vectors = files.vectors[rows] if rows else files.vectors[:0]
    kept = {rid: entry for rid, entry in entries.items() if rid not in drop}
    manifest = {
        **files.manifest,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "chunk_count": len(chunks),
        "reports": kept,
    }
    texts = {rid: text for rid, text in files.texts.items() if rid not in drop}
    titles = {rid: entry.get("title", rid) for rid, entry in kept.items()}
    write_index(
        index_dir,
        IndexFiles(manifest, chunks, texts, vectors),
        search_files_writer(chunks, vectors, titles),
    )
    return BuildResult(
        True, len(kept), len(chunks), [], sorted(drop), time.perf_counter() - started
    )
