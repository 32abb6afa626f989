"""Commands that look after the index: list its reports, take one out; and the build progress bar."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from reportqa.cli.options import backend_options, index_dir_option
from reportqa.errors import CommandError, command_errors
from reportqa.indexing.manifest import report_rows

# Below this many reports a build takes a few seconds and a bar is only noise.
_PROGRESS_MIN_REPORTS = 5
_STEP_LINE_EVERY_S = 5.0


@contextmanager
def build_progress(total: int) -> Iterator[Any]:
    """A progress callback for `build_index` that draws a bar on stderr (when it is a terminal)."""
    from tqdm import tqdm

    bar = tqdm(
        total=total,
        desc="Indexing",
        unit="report",
        file=sys.stderr,
        disable=None if total >= _PROGRESS_MIN_REPORTS else True,
        leave=False,
    )

    started = last = time.monotonic()

    def advance(report_id: str, done: int, _total: int) -> None:
        nonlocal last
        bar.set_postfix_str(report_id, refresh=False)
        bar.update(done - bar.n)
        # Without a bar (few reports, or not a terminal) a long build still shows where it is:
        # a line every few seconds (one big report, or the final index steps).
        now = time.monotonic()
        if bar.disable and now - last >= _STEP_LINE_EVERY_S:
            last = now
            click.echo(f"  {report_id} ({done}/{total} reports, {now - started:.0f} s)", err=True)

    try:
        yield advance
    finally:
        bar.close()


def format_row(row: dict[str, Any]) -> str:
    sources = row.get("sources", {})

    def shown(field: str, value: str) -> str:
        # an undetected field is unknown ("?"), never guessed
        if not value:
            return "?"
        return f"{value} ({sources[field]})" if field in sources else value

    years = "、".join(str(y) for y in row["years"])
    places = "、".join(row["places"])
    pages = f", {row['pages']} pages" if row["pages"] else ""
    title_source = f" ({sources['title']})" if "title" in sources else ""
    return (
        f"{row['id']}  《{row['title']}》{title_source}\n"
        f"    {shown('kind', row['kind'])} | {shown('places', places)} | "
        f"{shown('years', years)} | {row['issuer'] or '?'}\n"
        f"    {row['chunks']} chunks, {row['chars']} chars{pages}, from {row['file']}"
    )


@click.command("reports")
@index_dir_option
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
def reports_command(index_dir: Path, as_json: bool) -> None:
    """List the indexed reports with their metadata and chunk counts."""
    from reportqa.indexing.store import read_manifest

    with command_errors(input_status=1):
        manifest = read_manifest(index_dir)
    if manifest is None:
        raise CommandError(
            f"No index at {index_dir}. Build it first: reportqa index seeds/ --index-dir {index_dir}"
        )
    rows = report_rows(manifest)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        click.echo(format_row(row))
    total = sum(r["chunks"] for r in rows)
    click.echo(f"{len(rows)} reports, {total} chunks in {index_dir}")


@click.command("remove")
@click.argument("report_ids", nargs=-1, required=True)
@index_dir_option
@backend_options
def remove_command(report_ids: tuple[str, ...], index_dir: Path, backend: Any) -> None:
    """Take REPORT_IDS out of the index; the other reports keep their vectors.

    The report comes back on the next `reportqa index` of a folder that still holds its file.
    """
    from reportqa.indexing.build import remove_reports

    # remove has always exited with status 1 for every error ("not in the index" included).
    with command_errors(input_status=1):
        result = remove_reports(index_dir, list(report_ids))
        synced = backend.sync(index_dir)  # deletes the report's rows from a Milvus collection
    click.echo(
        f"Removed {', '.join(result.removed_reports)} from {index_dir}; "
        f"{result.reports} reports, {result.chunks} chunks remain ({result.seconds:.2f} s)."
    )
    if synced:
        click.echo(synced)
