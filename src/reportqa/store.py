"""The index folder: plain files a person can inspect, written atomically.

Layout of `index/`:
  manifest.json   format version, embedder, tokenizer and chunker settings, one entry per report
  chunks.jsonl    one chunk per line, in the order of the vector rows
  reports/ID.txt  each report's text exactly as the offsets index it
  vectors.npy     the chunk embeddings (float32, L2-normalised), kept to rebuild without re-embedding
  dense.faiss     FAISS inner-product index over vectors.npy
  bm25/           bm25s index over the chunk tokens
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import IndexUnusableError
from .guard import check_replaceable
from .hints import rebuild_hint
from .integrity import file_sizes
from .models import Chunk

FORMAT_VERSION = 1
MANIFEST = "manifest.json"


@dataclass
class IndexFiles:
    manifest: dict[str, Any]
    chunks: list[Chunk]
    texts: dict[str, str]
    vectors: np.ndarray


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


def read_manifest(index_dir: Path) -> dict[str, Any] | None:
    recover_interrupted_swap(index_dir)
    path = index_dir / MANIFEST
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
    return data


def write_index(index_dir: Path, files: IndexFiles, write_extra: Any) -> None:
    """Write every file into a temporary folder beside `index_dir`, then swap it in.

    `write_extra(tmp_dir)` writes the FAISS and BM25 files. A crash at any point leaves either the
    old index or the new one in place, never a mix.
    """
    # Callers check this before any work; here again because a wrong folder is deleted below.
    index_dir = check_replaceable(index_dir)
    index_dir.parent.mkdir(parents=True, exist_ok=True)
    recover_interrupted_swap(index_dir)
    remove_abandoned_builds(index_dir)
    # The pid in the name tells a later build whether this folder's builder is still running.
    tmp = Path(
        tempfile.mkdtemp(prefix=f".{index_dir.name}.building-{os.getpid()}-", dir=index_dir.parent)
    )
    try:
        (tmp / "reports").mkdir()
        for report_id, text in files.texts.items():
            (tmp / "reports" / f"{report_id}.txt").write_text(text, encoding="utf-8", newline="")
        with (tmp / "chunks.jsonl").open("w", encoding="utf-8") as out:
            for chunk in files.chunks:
                out.write(json.dumps(chunk.to_dict(), ensure_ascii=False) + "\n")
        np.save(tmp / "vectors.npy", files.vectors.astype(np.float32))
        write_extra(tmp)
        # The manifest goes last: a folder without one is never taken for an index.
        # with every file's size, so that a later build notices a file deleted or cut short
        manifest = {**files.manifest, "files": file_sizes(tmp)}
        (tmp / MANIFEST).write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        old = index_dir.with_name(index_dir.name + ".old")
        if index_dir.exists():
            index_dir.rename(old)
        tmp.rename(index_dir)
        shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def read_index(index_dir: Path) -> IndexFiles:
    manifest = read_manifest(index_dir)
    if manifest is None:
        raise IndexUnusableError(
            f"No index at {index_dir}. Build it first: reportqa index seeds/ --index-dir {index_dir}"
        )
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexUnusableError(
            f"The index at {index_dir} has format version {version}; this reportqa reads version "
            f"{FORMAT_VERSION}. {rebuild_hint(index_dir)}"
        )
    try:
        chunks = [
            Chunk.from_dict(json.loads(line))
            for line in (index_dir / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        texts = {
            report_id: (index_dir / "reports" / f"{report_id}.txt").read_text(encoding="utf-8")
            for report_id in manifest.get("reports", {})
        }
        vectors = np.load(index_dir / "vectors.npy")
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise IndexUnusableError(
            f"The index at {index_dir} is damaged ({exc}). {rebuild_hint(index_dir)}"
        ) from exc
    if len(vectors) != len(chunks) or len(chunks) != manifest.get("chunk_count"):
        raise IndexUnusableError(
            f"The index at {index_dir} is inconsistent ({len(chunks)} chunks, {len(vectors)} "
            f"vectors). {rebuild_hint(index_dir)}"
        )
    for chunk in chunks:
        text = texts.get(chunk.report)
        if text is None or text[chunk.start : chunk.end] != chunk.text:
            raise IndexUnusableError(
                f"The index at {index_dir} is damaged (a chunk of {chunk.report} does not match "
                f"its report text). {rebuild_hint(index_dir)}"
            )
    return IndexFiles(manifest=manifest, chunks=chunks, texts=texts, vectors=vectors)
