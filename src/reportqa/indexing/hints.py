"""The command that rebuilds a given index, for messages about a damaged or mismatched one.

A bare `reportqa index --force` would index seeds/ into ./index: followed literally it rebuilds
the wrong index. The hint names the index folder and, when the manifest still says, the files.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path

# Beyond this many files the command names their folders instead.
_MAX_FILES_NAMED = 6


def _indexed_paths(index_dir: Path) -> list[str]:
    """The report files the index was built from, as recorded in its manifest (if readable)."""
    try:
        data = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
        entries = data["reports"]
        return [str(entry["path"]) for entry in entries.values()]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []


def rebuild_command(index_dir: Path) -> str:
    """`reportqa index FILES --index-dir DIR --force` for this index."""
    paths = _indexed_paths(index_dir)
    if len(paths) > _MAX_FILES_NAMED:
        paths = sorted({str(Path(p).parent) for p in paths})
    sources = " ".join(shlex.quote(p) for p in paths) if paths else "REPORT_FOLDER [...]"
    folder = shlex.quote(str(index_dir.expanduser().resolve()))
    return f"reportqa index {sources} --index-dir {folder} --force"


def rebuild_hint(index_dir: Path) -> str:
    """The sentence that ends a damage message."""
    return f"Rebuild it: {rebuild_command(index_dir)}"
