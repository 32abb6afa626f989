"""The index folder: plain files a person can inspect, written atomically.

Layout of `index/`:
  manifest.json     format version, embedder, tokenizer and chunker settings, one entry per report
                    (with `rows`: its chunks' first row and the row after its last)
  chunks.jsonl      one chunk per line, in the order of the vector rows; a report's rows are
                    consecutive
  chunk_offsets.npy byte offset of each line of chunks.jsonl (and its end): chunks are read on demand
  reports/ID.txt    each report's text exactly as the offsets index it
  vectors.npy       the chunk embeddings (float32, L2-normalised), memory-mapped
  dense.faiss       FAISS index over vectors.npy: flat, or IVF above a size (dense.json says which)
  dense_moments.npz sums of the vectors and of their outer products (similarity mean and spread)
  bm25/             bm25s index over the chunk tokens, memory-mapped
  answer_terms.json document frequency of the answer step's terms; served from the copy by
                    term id beside the keyword term table (bm25/terms.answer_df.npy)
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from reportqa.errors import IndexUnusableError
from reportqa.indexing.arrays import load_mapped
from reportqa.indexing.chunkfile import ChunkFile, ReportTexts
from reportqa.indexing.guard import check_replaceable
from reportqa.indexing.hints import rebuild_hint
from reportqa.indexing.integrity import file_sizes
from reportqa.indexing.manifest import Manifest, ManifestError, ReportEntry
from reportqa.records import Chunk
from reportqa.search.dense import VECTORS

# 2: chunks read from disk on demand (chunk_offsets.npy), per-report rows in the manifest,
# IVF above a size threshold, vector moments, precomputed answer-step term weights.
FORMAT_VERSION = 2
MANIFEST = "manifest.json"


class OtherFormatError(IndexUnusableError):
    """The index was written in another format version; a build replaces it whole."""


@dataclass
class IndexFiles:
    manifest: Manifest
    chunks: Sequence[Chunk]  # a ChunkFile when read from disk
    texts: Mapping[str, str]
    vectors: np.ndarray  # memory-mapped when read from disk


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by someone else
        return True
    return True


def remove_abandoned_builds(index_dir: Path) -> None:
    """Delete temporary build folders left by builds that were killed (their process is gone)."""
    prefix = f".{index_dir.name}.building-"
    for folder in index_dir.parent.glob(glob.escape(prefix) + "*"):
        # The index's own name may hold '-': the pid is what follows the prefix, up to its '-'.
        pid = folder.name[len(prefix) :].split("-")[0]
        if pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def recover_interrupted_swap(index_dir: Path) -> None:
    """If a swap died between its two renames, put the previous index back."""
    index_dir = index_dir.resolve()  # "." has no name to put ".old" after
    old = index_dir.with_name(index_dir.name + ".old")
    if not index_dir.exists() and old.exists():
        old.rename(index_dir)
    elif old.exists():
        shutil.rmtree(old, ignore_errors=True)


def recover_killed_build(index_dir: Path) -> None:
    """Put back the previous index if a swap died half-way, and delete the folders of killed
    builds. For the commands that write the index, holding its build lock (guard.py)."""
    recover_interrupted_swap(index_dir)
    remove_abandoned_builds(index_dir)


def readable_folder(index_dir: Path) -> Path:
    """The folder holding the index to read: `index_dir`, or the previous index when a swap died
    between its two renames. Readers change nothing (a reader renaming folders would race a
    running build); the next command that writes the index puts the previous one back."""
    if index_dir.exists():
        return index_dir
    old = index_dir.resolve().with_name(index_dir.resolve().name + ".old")
    return old if (old / MANIFEST).is_file() else index_dir


def read_manifest(index_dir: Path) -> Manifest | None:
    """The index's manifest, None if there is no index; IndexUnusableError if it cannot be used
    (unreadable, another format version, or not shaped as a manifest).

    Changes nothing on disk: the folders a killed build left are put right by the next command
    that writes the index (`recover_killed_build`), never by a reader, which could race a
    running build."""
    path = readable_folder(index_dir) / MANIFEST
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IndexUnusableError(
            f"{path} is unreadable ({exc}). {rebuild_hint(index_dir)}"
        ) from exc
    if not isinstance(data, dict):
        raise IndexUnusableError(f"{path} is not a manifest. {rebuild_hint(index_dir)}")
    # The version first: another version's manifest may have another shape.
    version = data.get("format_version")
    if version != FORMAT_VERSION:
        raise OtherFormatError(
            f"The index at {index_dir} has format version {version}; this reportqa reads version "
            f"{FORMAT_VERSION}. {rebuild_hint(index_dir)}"
        )
    try:
        return Manifest.from_json(data)
    except ManifestError as exc:
        raise IndexUnusableError(
            f"The index at {index_dir} holds a damaged manifest: {exc}. {rebuild_hint(index_dir)}"
        ) from exc


@contextmanager
def new_index_folder(index_dir: Path) -> Iterator[Path]:
    """A temporary folder beside `index_dir` to write a new index into; removed if the block
    fails. `swap_in` makes it the index. A crash at any point leaves either the old index or the
    new one in place, never a mix."""
    # Callers check this before any work; here again because the folder is replaced below.
    index_dir = check_replaceable(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    # The pid in the name tells a later build whether this folder's builder is still running.
    tmp = Path(
        tempfile.mkdtemp(prefix=f".{index_dir.name}.building-{os.getpid()}-", dir=index_dir.parent)
    )
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def swap_in(tmp: Path, index_dir: Path, manifest: Manifest) -> None:
    """Write the manifest into the finished folder `tmp`, then put it in place of `index_dir`."""
    index_dir = check_replaceable(index_dir)
    # The manifest goes last: a folder without one is never taken for an index. It lists every
    # file's size, so that a later build notices a file deleted or cut short.
    manifest = replace(manifest, files=file_sizes(tmp))
    (tmp / MANIFEST).write_text(
        json.dumps(manifest.to_json(), ensure_ascii=False, indent=2), encoding="utf-8"
    )
    old = index_dir.with_name(index_dir.name + ".old")
    if index_dir.exists():
        index_dir.rename(old)
    tmp.rename(index_dir)
    shutil.rmtree(old, ignore_errors=True)


def read_index(index_dir: Path) -> IndexFiles:
    index_dir = readable_folder(index_dir)
    manifest = read_manifest(index_dir)
    if manifest is None:
        raise IndexUnusableError(
            f"No index at {index_dir}. Build it first: reportqa index seeds/ --index-dir {index_dir}"
        )
    entries = manifest.reports
    try:
        rows = {rid: entry.rows for rid, entry in entries.items()}
        chunks = ChunkFile(index_dir, rows)
        texts = ReportTexts(index_dir / "reports", list(entries))
        vectors = load_mapped(index_dir / VECTORS)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise IndexUnusableError(
            f"The index at {index_dir} is damaged ({exc}). {rebuild_hint(index_dir)}"
        ) from exc
    if len(vectors) != len(chunks) or len(chunks) != manifest.chunk_count:
        raise IndexUnusableError(
            f"The index at {index_dir} is inconsistent ({len(chunks)} chunks, {len(vectors)} "
            f"vectors). {rebuild_hint(index_dir)}"
        )
    _check_texts(index_dir, entries, chunks, texts)
    return IndexFiles(manifest=manifest, chunks=chunks, texts=texts, vectors=vectors)


# Chunks compared with their report text when an index is opened: every report's size is checked,
# and the chunks of a bounded sample of reports, so that opening stays fast at 10,000 reports.
_CHECKED_REPORTS = 64


def _check_texts(
    index_dir: Path, entries: Mapping[str, ReportEntry], chunks: ChunkFile, texts: ReportTexts
) -> None:
    damaged = IndexUnusableError(
        f"The index at {index_dir} is damaged (a report text does not match its chunks). "
        f"{rebuild_hint(index_dir)}"
    )
    ids = list(entries)
    for rid in ids:
        path = index_dir / "reports" / f"{rid}.txt"
        if not path.exists() or path.stat().st_size != entries[rid].text_bytes:
            raise damaged
    step = max(1, len(ids) // _CHECKED_REPORTS)
    for rid in ids[::step]:
        text = texts[rid]
        rows = chunks.rows_of(rid)
        for row in (rows[:1], rows[-1:]) if len(rows) > 2 else (rows,):
            for r in row:
                chunk = chunks[r]
                if chunk.report != rid or text[chunk.start : chunk.end] != chunk.text:
                    raise damaged


def iter_chunk_batches(
    index_dir: Path, batch: int = 1024
) -> Iterator[tuple[range, list[Chunk], np.ndarray]]:
    """Every chunk of an index with its vector, `batch` at a time: (rows, chunks, vectors).

    For exporting an index (to another vector store, say) without holding it in memory; a
    chunk's row is its id in the dense index and in the BM25 arrays (bm25/, bm25s's format).
    """
    files = read_index(index_dir)
    chunks = iter(files.chunks)
    for start in range(0, len(files.chunks), batch):
        rows = range(start, min(start + batch, len(files.chunks)))
        yield rows, [next(chunks) for _ in rows], np.asarray(files.vectors[rows.start : rows.stop])
