"""Keep an indexed report whose file cannot be read any more, instead of dropping it.

A rebuild indexes the files it is given. When one of them was indexed before and now fails to
read (permissions, a damaged copy, a bad sidecar), dropping it would remove a report the person
never removed. Its text, checksum and metadata are all in the index, so the report is rebuilt from
there: same checksum and title, so its vectors are reused and nothing is re-embedded.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from reportqa.errors import ReportQAError
from reportqa.indexing.manifest import ReportEntry
from reportqa.ingest.read import SourceReport


def _indexed_entries(index_dir: Path) -> Mapping[str, ReportEntry]:
    from reportqa.indexing.store import read_manifest

    try:
        manifest = read_manifest(index_dir)
    except ReportQAError:  # a damaged index has nothing to keep
        return {}
    return manifest.reports if manifest is not None else {}


def _page_starts(index_dir: Path, report_id: str, pages: int) -> list[int]:
    """Where each page starts, as well as the indexed chunks tell (a page without a chunk starts
    where the page before it does)."""
    first: dict[int, int] = {}
    try:
        lines = (index_dir / "chunks.jsonl").read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    for line in lines:
        chunk = json.loads(line) if line.strip() else {}
        page = chunk.get("page")
        if chunk.get("report") == report_id and isinstance(page, int):
            first[page] = min(first.get(page, chunk["start"]), chunk["start"])
    starts: list[int] = []
    for page in range(1, pages + 1):
        starts.append(first.get(page, starts[-1] if starts else 0))
    return starts


def indexed_copy(index_dir: Path, path: Path, entry: ReportEntry) -> SourceReport | None:
    """The report at `path` as the index holds it, or None if the index lacks its text."""
    try:
        text = (index_dir / "reports" / f"{path.stem}.txt").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    # The indexed metadata, given as a sidecar, comes back exactly as it was indexed.
    sidecar = entry.meta().to_dict()
    if entry.source is not None:
        sidecar["source"] = entry.source
    pages = entry.pages
    return SourceReport(
        id=path.stem,
        path=path,
        text=text,
        sha256=entry.sha256,
        sidecar=sidecar,
        page_starts=_page_starts(index_dir, path.stem, pages) if pages is not None else [],
    )


def keep_unreadable_indexed(
    index_dir: Path, files: Sequence[Path], read: Sequence[Path]
) -> list[SourceReport]:
    """Indexed copies of the `files` that could not be read (those not in `read`) and that the
    index at `index_dir` holds; files never indexed are left out."""
    read_paths = set(read)
    entries = _indexed_entries(index_dir)
    kept = []
    for path in files:
        entry = entries.get(path.stem)
        if path in read_paths or entry is None:
            continue
        copy = indexed_copy(index_dir, path, entry)
        if copy is not None:
            kept.append(copy)
    return kept


def indexed_files_not_named(index_dir: Path, files: Sequence[Path]) -> list[Path]:
    """Files of reports the index at `index_dir` holds that `files` does not name and that are
    still on disk, in index order.

    `reportqa index new.txt` adds a report: dropping every other indexed report for not being
    named again would throw away an index that may have taken hours to build. A report leaves
    the index when its file is gone, or by `reportqa remove`. A named file with the same id (file
    name without suffix) takes the indexed one's place.
    """
    named = {path.stem for path in files}
    kept = []
    for report_id, entry in _indexed_entries(index_dir).items():
        path = Path(entry.path) if entry.path else None
        if report_id not in named and path is not None and path.is_file():
            kept.append(path)
    return kept
