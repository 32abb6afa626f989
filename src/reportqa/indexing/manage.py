"""Changing a built index without its original files: add reports to it, or re-index it.

An index keeps each report's text, checksum and metadata, which is all a build needs; so reports
already indexed are carried over from the index itself (their vectors reused, nothing re-read),
and only the added files are parsed and embedded. The result is written like any build: into a
temporary folder swapped in whole, so a server watching the folder sees one complete generation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reportqa.errors import InputError
from reportqa.indexing.build import BuildResult, Progress, build_index
from reportqa.indexing.embed import Embedder
from reportqa.indexing.manifest import ReportEntry
from reportqa.indexing.store import read_index, read_manifest
from reportqa.ingest.parse import ChunkSettings
from reportqa.ingest.read import SourceReport
from reportqa.records import Chunk


def page_starts_from_chunks(chunks: list[Chunk]) -> list[int]:
    """Where each page begins, as far as the chunks tell (a chunk knows its page, 1-based).

    Every chunk gets its page back from these offsets; a page without a chunk starts where the
    next one does.
    """
    firsts: dict[int, int] = {}
    for chunk in chunks:
        if chunk.page:
            firsts[chunk.page] = min(chunk.start, firsts.get(chunk.page, chunk.start))
    if not firsts:
        return []
    starts = [0] * max(firsts)
    following = max(c.end for c in chunks)
    for page in range(len(starts), 0, -1):
        following = firsts.get(page, following)
        starts[page - 1] = following
    starts[0] = 0
    return starts


def stored_reports(index_dir: Path) -> list[SourceReport]:
    """The reports of a built index, as a build would read them from their files."""
    files = read_index(index_dir)
    by_report: dict[str, list[Chunk]] = {}
    for chunk in files.chunks:
        by_report.setdefault(chunk.report, []).append(chunk)
    reports = []
    for rid, entry in files.manifest.reports.items():
        reports.append(
            SourceReport(
                id=rid,
                path=Path(entry.path or entry.file or f"{rid}.txt"),
                text=files.texts[rid],
                sha256=entry.sha256,
                sidecar=kept_metadata(entry),
                page_starts=page_starts_from_chunks(by_report.get(rid, [])),
            )
        )
    return reports


def kept_metadata(entry: ReportEntry) -> dict[str, Any]:
    """A carried-over report's metadata, given to detection as a sidecar would be, so that it
    comes back exactly (fields left empty stay for detection to fill)."""
    fields = {**entry.meta().to_dict(), "source": entry.source}
    return {key: value for key, value in fields.items() if value}


def add_reports(
    index_dir: Path,
    new: list[SourceReport],
    embedder: Embedder,
    progress: Progress | None = None,
) -> BuildResult:
    """Index `new` reports into the index at `index_dir` (created if there is none).

    A report whose id is already indexed is refused: replacing one is a remove, then an add.
    """
    manifest = read_manifest(index_dir)
    existing = stored_reports(index_dir) if manifest is not None else []
    taken = {r.id for r in existing}
    clash = sorted({r.id for r in new} & taken)
    if clash:
        raise InputError(f"Already indexed: {', '.join(clash)}. Remove it first to replace it.")
    chunking = manifest.chunker if manifest is not None else ChunkSettings()
    return build_index(existing + new, index_dir, embedder, chunking, progress=progress)


def reindex(index_dir: Path, embedder: Embedder, progress: Progress | None = None) -> BuildResult:
    """Parse, chunk and embed every report of the index again, from the texts it keeps."""
    manifest = read_manifest(index_dir)
    if manifest is None:
        raise InputError(f"No index at {index_dir} to re-index.")
    return build_index(
        stored_reports(index_dir),
        index_dir,
        embedder,
        manifest.chunker,
        progress=progress,
        force=True,
    )
