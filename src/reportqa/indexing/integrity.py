"""Whether an index folder still holds every file its manifest promises, whole.

The manifest lists each file with its size when the index is written. A rebuild checks the list
before it calls the index up to date, so a deleted or truncated `dense.faiss` is rebuilt (from the
kept vectors) instead of being reported as "nothing to do" while every question fails.
"""

from __future__ import annotations

from pathlib import Path

from reportqa.indexing.manifest import Manifest

MANIFEST = "manifest.json"
# What every index holds, for manifests written before file sizes were recorded.
_REQUIRED = ("chunks.jsonl", "vectors.npy", "dense.faiss", "bm25")


def file_sizes(folder: Path) -> dict[str, int]:
    """Size in bytes of every file under `folder` but the manifest, by path relative to it."""
    return {
        path.relative_to(folder).as_posix(): path.stat().st_size
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }


def missing_files(index_dir: Path, manifest: Manifest) -> list[str]:
    """The files of the index that are gone or not the size they were written at."""
    recorded = manifest.files
    if recorded is not None:
        present = file_sizes(index_dir) if index_dir.is_dir() else {}
        return sorted(name for name, size in recorded.items() if present.get(name) != size)
    expected = [*_REQUIRED, *(f"reports/{rid}.txt" for rid in manifest.reports)]
    return [name for name in expected if not (index_dir / name).exists()]
