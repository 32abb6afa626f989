"""Build the index from report files: parse, chunk, embed, and write atomically.

Reports whose content and settings are unchanged keep their vectors from the previous index, so
adding, changing or removing one report re-embeds that report only.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from reportqa import __version__
from reportqa.errors import InputError
from reportqa.indexing.answer_terms import has_stored_counts
from reportqa.indexing.arrays import read_block
from reportqa.indexing.chunkfile import ChunkFile
from reportqa.indexing.embed import DEFAULT_EMBEDDER, Embedder, canonical_embedder_name
from reportqa.indexing.guard import guarded_index_write
from reportqa.indexing.index_writer import IndexWriter
from reportqa.indexing.integrity import missing_files
from reportqa.indexing.manifest import BuildSettings, EmbedderInfo, Manifest, ReportEntry
from reportqa.indexing.parallel_embed import BatchEmbedder
from reportqa.indexing.resume import Recorder, ResumeStore
from reportqa.indexing.store import (
    FORMAT_VERSION,
    MANIFEST,
    OtherFormatError,
    new_index_folder,
    read_index,
    read_manifest,
    readable_folder,
    swap_in,
)
from reportqa.indexing.tokenize import TOKENIZER_NAME
from reportqa.ingest.metadata import ReportMeta
from reportqa.ingest.parse import ChunkSettings, chunk_report
from reportqa.ingest.read import SourceReport
from reportqa.ingest.report_sequence import (
    ReportFiles,
    known_meta,
    report_meta,
    summaries,
)
from reportqa.records import Chunk
from reportqa.search.dense import VECTORS
from reportqa.search.retrieve import search_text

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class BuildResult:
    changed: bool
    reports: int
    chunks: int
    embedded_reports: list[str]
    removed_reports: list[str]
    seconds: float


def build_settings(embedder_name: str, chunking: ChunkSettings) -> BuildSettings:
    return BuildSettings(FORMAT_VERSION, embedder_name, TOKENIZER_NAME, chunking)


def previous_manifest(index_dir: Path) -> Manifest | None:
    """The manifest of the index a build replaces; None when there is none or it is of another
    format version (then every report is built again)."""
    try:
        return read_manifest(index_dir)
    except OtherFormatError:
        return None


def is_up_to_date(
    index_dir: Path, reports: Sequence[SourceReport], settings: BuildSettings
) -> bool:
    manifest = previous_manifest(index_dir)
    if manifest is None or manifest.settings != settings:
        return False
    if missing_files(index_dir, manifest):  # a file deleted or cut short: rebuild it
        return False
    if not has_stored_counts(index_dir):  # built before the keyword term table
        return False  # rebuilt with every report's vectors kept
    entries = manifest.reports
    if len(entries) != len(reports):
        return False
    # One pass, each file read at most once (none when the check before the build read it).
    seen: set[str] = set()
    for summary in summaries(reports):
        entry = entries.get(summary.id)
        if entry is None or entry.sha256 != summary.sha256 or summary.id in seen:
            return False
        # An edited sidecar (or better detection) changes a report's metadata but not its file.
        if entry.meta() != summary.meta:
            return False
        seen.add(summary.id)
    return True


# Chunks embedded and written at a time: memory is bounded by this, not by corpus or report size.
BATCH_CHUNKS = 256


@dataclass
class _Previous:
    """The previous index, when its settings match: its entries, chunks and vectors on disk."""

    entries: Mapping[str, ReportEntry]
    folder: Path
    chunks: ChunkFile | None = None

    def reusable(self, report: SourceReport, title: str) -> bool:
        return self.reusable_as(report.id, report.sha256, title)

    def reusable_as(self, report_id: str, sha256: str, title: str) -> bool:
        entry = self.entries.get(report_id)
        # The title is part of what was embedded (see search_text), so a new title re-embeds.
        return (
            self.chunks is not None
            and entry is not None
            and entry.sha256 == sha256
            and entry.title == title
        )

    def batches(self, report_id: str) -> Iterator[tuple[list[Chunk], np.ndarray]]:
        assert self.chunks is not None
        rows = self.chunks.rows_of(report_id)
        dim = 0
        for start in range(rows.start, rows.stop, BATCH_CHUNKS):
            stop = min(start + BATCH_CHUNKS, rows.stop)
            chunks = [self.chunks[r] for r in range(start, stop)]
            dim = dim or _vector_width(self.folder)
            yield chunks, read_block(self.folder / VECTORS, dim, start, stop - start)


def _vector_width(folder: Path) -> int:
    return int(np.load(folder / VECTORS, mmap_mode="r").shape[1])


def _previous_index(index_dir: Path, settings: BuildSettings) -> _Previous:
    manifest = previous_manifest(index_dir)
    if manifest is None or manifest.settings != settings:
        return _Previous({}, index_dir)
    try:
        files = read_index(index_dir)
    except Exception:  # a damaged index is rebuilt from scratch
        return _Previous({}, index_dir)
    assert isinstance(files.chunks, ChunkFile)
    return _Previous(manifest.reports, index_dir, files.chunks)


def _entry(report: SourceReport, meta: ReportMeta, rows: tuple[int, int]) -> ReportEntry:
    source = report.sidecar.get("source")
    return ReportEntry.of(
        meta,
        file=report.path.name,
        path=str(report.path.resolve()),  # named in the command that rebuilds the index
        sha256=report.sha256,
        chars=len(report.text),
        text_bytes=len(report.text.encode("utf-8")),
        rows=rows,
        source=None if source is None else str(source),
        pages=len(report.page_starts) if report.page_starts else None,
    )


def _manifest(
    settings: BuildSettings, embedder: Embedder, entries: dict[str, ReportEntry], chunks: int
) -> Manifest:
    return Manifest(
        format_version=settings.format_version,
        embedder=EmbedderInfo(embedder.name, int(embedder.dim)),
        tokenizer=settings.tokenizer,
        chunker=settings.chunker,
        reports=entries,
        chunk_count=chunks,
        reportqa_version=__version__,
        built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    )


@dataclass
class _Work:
    """One batch of one report's chunks on its way to the index."""

    report: SourceReport
    meta: ReportMeta
    chunks: list[Chunk]
    texts: list[str]
    vectors: np.ndarray | None  # known already (previous index or resumed build)
    recorder: Recorder | None  # keeps freshly embedded vectors for a resumed build
    first: bool
    last: bool
    progress: str | None  # within a report large enough to say where it is


def _work(
    reports: Sequence[SourceReport],
    previous: _Previous,
    resume: ResumeStore,
    chunking: ChunkSettings,
    dim: int,
) -> Iterator[tuple[_Work, list[str] | None]]:
    """Every batch of every report, with its texts when they need embedding."""
    for report in reports:
        meta = known_meta(reports, report) or report_meta(report)
        batches: list[tuple[list[Chunk], np.ndarray | None, Recorder | None]]
        if previous.reusable(report, meta.title):
            known: Iterator[tuple[list[Chunk], np.ndarray]] = previous.batches(report.id)
            batches = [(c, v, None) for c, v in known]
        else:
            chunks = chunk_report(report.id, report.text, chunking, report.page_starts)
            saved = resume.saved(report.id, report.sha256, meta.title)
            recorder = None if saved else resume.recorder(report.id, report.sha256, meta.title, dim)
            batches = []
            for start in range(0, len(chunks), BATCH_CHUNKS):
                batch = chunks[start : start + BATCH_CHUNKS]
                vectors = resume.read(saved, dim, start, len(batch)) if saved else None
                batches.append((batch, vectors, recorder))
            del chunks
        if not batches:
            batches = [([], np.zeros((0, dim), dtype=np.float32), None)]
        done_chunks = 0
        total_chunks = sum(len(b[0]) for b in batches)
        for k, (batch, vectors, recorder) in enumerate(batches):
            done_chunks += len(batch)
            texts = [search_text(meta.title, c) for c in batch]
            work = _Work(
                report,
                meta,
                batch,
                texts,
                vectors,
                recorder,
                first=k == 0,
                last=k == len(batches) - 1,
                progress=(
                    f"{report.id}: {done_chunks:,}/{total_chunks:,} passages"
                    if len(batches) > 1
                    else None
                ),
            )
            yield work, (texts if vectors is None else None)


# Reports to embed from which a build starts its embedding processes at once: ten reports are
# about 1,400 passages (the evaluation reports average 135), more than starting two processes
# costs (each loads the model: a few seconds).
START_AT_ONCE_REPORTS = 10
# Else the processes start once this many passages have been embedded in the build's process.
START_AFTER_PASSAGES = 2_000


def _start_workers_after(reports: Sequence[SourceReport], previous: _Previous) -> int:
    """Passages to embed before starting the embedding processes: none when many reports are
    new or changed (known without reading a file: no previous index, or the checksums and titles
    the readability check found), else START_AFTER_PASSAGES, so a build that embeds little does
    not pay for starting them."""
    if not previous.entries:
        fresh: int | None = len(reports)
    elif isinstance(reports, ReportFiles) and all(p in reports.known for p in reports.paths):
        fresh = sum(
            not previous.reusable_as(s.id, s.sha256, s.meta.title) for s in summaries(reports)
        )
    else:
        fresh = None
    return 0 if fresh is not None and fresh >= START_AT_ONCE_REPORTS else START_AFTER_PASSAGES


def embeds_every_file(index_dir: Path, files: int, workers: int, embedder: str) -> bool:
    """Whether a build of `files` report files into `index_dir` will embed in `workers`
    processes from its start, known before reading a file: there is no index there yet, and
    enough files. Its embedding processes can then be started before the files are checked
    (`parallel_embed.start_processes`), so that they load their model meanwhile. Only for the
    bundled embedder: another may be missing, or take seconds to import (torch), and an error
    would then wait for every process to fail to load it."""
    return (
        canonical_embedder_name(embedder) == DEFAULT_EMBEDDER
        and workers > 1
        and files >= START_AT_ONCE_REPORTS
        and not (readable_folder(index_dir) / MANIFEST).exists()  # read nothing, raise nothing
    )


def build_index(
    reports: Sequence[SourceReport],
    index_dir: Path,
    embedder: Embedder,
    chunking: ChunkSettings,
    progress: Progress | None = None,
    force: bool = False,
    workers: int = 1,
    processes: ProcessPoolExecutor | None = None,
) -> BuildResult:
    """Build the index of `reports` into `index_dir`, streaming: each report is parsed, chunked,
    embedded and written `BATCH_CHUNKS` chunks at a time. `reports` may be a lazy sequence that
    reads each file when it is asked for. With `workers` > 1, a long build embeds in that many
    processes; `processes`, started already (see `embeds_every_file`), embed from the first
    batch and end with the build. An interrupted build's embeddings are kept beside the index
    and reused by the next build of the same reports and settings."""
    try:
        return _build_index(
            reports, index_dir, embedder, chunking, progress, force, workers, processes
        )
    finally:
        if processes is not None:  # shut down already unless the build was up to date or failed
            processes.shutdown(wait=False, cancel_futures=True)


@guarded_index_write
def _build_index(
    reports: Sequence[SourceReport],
    index_dir: Path,
    embedder: Embedder,
    chunking: ChunkSettings,
    progress: Progress | None,
    force: bool,
    workers: int,
    processes: ProcessPoolExecutor | None,
) -> BuildResult:
    started = time.perf_counter()
    settings = build_settings(embedder.name, chunking)
    if not force and is_up_to_date(index_dir, reports, settings):
        manifest = read_manifest(index_dir)
        total = sum(e.chunks for e in manifest.reports.values()) if manifest else 0
        return BuildResult(False, len(reports), total, [], [], time.perf_counter() - started)
    previous = _Previous({}, index_dir) if force else _previous_index(index_dir, settings)
    resume = ResumeStore(index_dir, settings)
    total = len(reports)

    def step(label: str, done: int) -> None:
        if progress:
            progress(label, done, total)

    entries: dict[str, ReportEntry] = {}
    embedded: list[str] = []
    with (
        new_index_folder(index_dir) as tmp,
        BatchEmbedder(
            embedder,
            workers,
            start_after=_start_workers_after(reports, previous),
            started=processes,
        ) as batch_embedder,
    ):
        writer = IndexWriter(tmp, embedder.dim)
        first_row = 0
        work = _work(reports, previous, resume, chunking, embedder.dim)
        for item, fresh in batch_embedder.embed_in_order(work):
            if item.first:
                first_row = writer.count
            vectors = item.vectors if fresh is None else fresh
            assert vectors is not None
            writer.add(item.chunks, vectors, item.meta.title)
            if item.recorder is not None:
                item.recorder.append(vectors)
            if item.progress and not item.last:
                step(item.progress, len(entries))
            if item.last:
                if item.recorder is not None:
                    item.recorder.complete()
                report = item.report
                if not previous.reusable(report, item.meta.title):
                    embedded.append(report.id)
                writer.write_text(report.id, report.text)
                entries[report.id] = _entry(report, item.meta, (first_row, writer.count))
                step(report.id, len(entries))
        writer.finish(lambda label: step(label, total))
        swap_in(tmp, index_dir, _manifest(settings, embedder, entries, writer.count))
    resume.clear()
    removed = sorted(set(previous.entries) - set(entries))
    return BuildResult(
        True, len(reports), writer.count, embedded, removed, time.perf_counter() - started
    )


@guarded_index_write
def remove_reports(index_dir: Path, report_ids: list[str]) -> BuildResult:
    """Take reports out of the index, keeping every other report's vectors (nothing is embedded).

    Written like a build, into a temporary folder swapped in at the end.
    """
    started = time.perf_counter()
    files = read_index(index_dir)
    entries = files.manifest.reports
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
    assert isinstance(files.chunks, ChunkFile)
    previous = _Previous(entries, index_dir, files.chunks)
    kept: dict[str, ReportEntry] = {}
    dim = files.manifest.embedder.dim or _vector_width(index_dir)
    with new_index_folder(index_dir) as tmp:
        writer = IndexWriter(tmp, dim)
        for rid, entry in entries.items():
            if rid in drop:
                continue
            first = writer.count
            for chunks, vectors in previous.batches(rid):
                writer.add(chunks, vectors, entry.title)
            shutil.copyfile(index_dir / "reports" / f"{rid}.txt", tmp / "reports" / f"{rid}.txt")
            kept[rid] = entry.with_rows((first, writer.count))
        writer.finish()
        manifest = replace(
            files.manifest,
            built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            chunk_count=writer.count,
            reports=kept,
        )
        swap_in(tmp, index_dir, manifest)
    return BuildResult(
        True, len(kept), writer.count, [], sorted(drop), time.perf_counter() - started
    )
