"""Safety around writing an index: which folders may be replaced, and one build at a time.

A build replaces the whole index folder. That is only safe for a folder reportqa made: one that
holds a reportqa manifest, is empty, or does not exist yet. Anything else (a home folder, `..`,
the folder of the reports themselves) is refused before any work is done, so a mistyped
`--index-dir` can never delete a person's files.
"""

from __future__ import annotations

import fcntl
import functools
import inspect
import json
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from reportqa.errors import UnsafeIndexDirError

MANIFEST = "manifest.json"
# Keys every manifest reportqa writes has; another program's manifest.json lacks them.
_MANIFEST_KEYS = ("format_version", "embedder", "reports")


def is_reportqa_index(folder: Path) -> bool:
    """Whether `folder` holds a manifest written by reportqa (readable or not as an index)."""
    path = folder / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        # A damaged manifest.json beside the index files is still ours if the files are there.
        return path.is_file() and (folder / "chunks.jsonl").exists()
    return isinstance(data, dict) and all(key in data for key in _MANIFEST_KEYS)


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_replaceable(index_dir: Path, report_paths: Iterable[Path] = ()) -> Path:
    """The index folder, resolved, if a build may replace it; else UnsafeIndexDirError.

    Replaceable: missing, empty, or a reportqa index. Never the current folder or one holding it
    (the swap would pull the floor from under the running command), never the home folder or the
    root, and never a folder holding the reports being indexed.
    """
    folder = index_dir.expanduser().resolve()
    refuse = (
        f"Refusing to use {index_dir} as the index folder: {{why}}. Nothing was changed. "
        "Give --index-dir a new or empty folder (e.g. --index-dir index)."
    )
    if folder.exists() and not folder.is_dir():
        raise UnsafeIndexDirError(refuse.format(why="it is a file, not a folder"))
    if folder == Path(folder.anchor) or folder == Path.home().resolve():
        raise UnsafeIndexDirError(refuse.format(why="it is the root or the home folder"))
    if _inside(Path.cwd().resolve(), folder):
        raise UnsafeIndexDirError(
            refuse.format(why="it is the current folder or holds it, and a build replaces it")
        )
    for report in report_paths:
        if _inside(report.expanduser().resolve(), folder):
            raise UnsafeIndexDirError(
                refuse.format(why=f"it holds a report being indexed ({report})")
            )
    if folder.is_dir() and any(folder.iterdir()) and not is_reportqa_index(folder):
        raise UnsafeIndexDirError(
            refuse.format(why="it holds files and is not a reportqa index (no reportqa manifest)")
        )
    return folder


def lock_path(index_dir: Path) -> Path:
    """The lock file beside the index (inside the index it would be swapped away with it)."""
    folder = index_dir.expanduser().resolve()
    return folder.with_name(f".{folder.name}.lock")


@contextmanager
def index_lock(index_dir: Path, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the index's build lock; a second build of the same index waits for the first.

    flock is released by the kernel when the holder dies, so a killed build never leaves the
    index locked. The lock file stays: deleting it would let two builds lock two different files.
    """
    path = lock_path(index_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            message = (
                f"Another reportqa build is writing {index_dir} (process {holder}); "
                "waiting for it to finish."
            )
            (on_wait or _say)(message)
            fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _say(message: str) -> None:
    import sys

    print(message, file=sys.stderr, flush=True)


F = TypeVar("F", bound=Callable[..., Any])


def guarded_index_write(function: F) -> F:
    """Wrap a function that writes the index at its `index_dir` argument: refuse an unsafe
    folder before any work, hold the build lock throughout, and under it put right what killed
    builds left (readers never do: they could race a build between its two renames).

    The `reports` argument, when the function has one, is checked not to lie inside the folder.
    """
    signature = inspect.signature(function)

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from reportqa.ingest.report_sequence import report_paths

        bound = signature.bind(*args, **kwargs)
        index_dir = Path(bound.arguments["index_dir"])
        reports = bound.arguments.get("reports") or []
        folder = check_replaceable(index_dir, report_paths(reports))  # reads no report
        bound.arguments["index_dir"] = folder
        with index_lock(folder):
            from reportqa.indexing.store import recover_killed_build

            recover_killed_build(folder)
            return function(*bound.args, **bound.kwargs)

    return wrapper  # type: ignore[return-value]
