"""The `reportqa` command line: thin commands over the library; user errors are messages."""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, cast

import click

from .errors import InputError, ReportQAError
from .options import embedder_option, generator_option, index_dir_option
from .retrieve import MODES, Mode

DEFAULT_SEEDS = Path("seeds")


def _fail(exc: ReportQAError, code: int = 1) -> None:
    click.echo(f"Error: {exc}", err=True)
    sys.exit(code)


@click.group()
@click.version_option(package_name="reportqa")
def main() -> None:
    """Answer questions about Chinese government reports, with exact citations."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_dir_option
@embedder_option
@click.option("--max-chars", default=200, show_default=True, help="Largest chunk, in characters.")
@click.option("--overlap", default=1, show_default=True, help="Sentences repeated between chunks.")
@click.option("--force", is_flag=True, help="Rebuild even if nothing changed.")
def index(
    paths: tuple[Path, ...],
    index_dir: Path,
    embedder: str | None,
    max_chars: int,
    overlap: int,
    force: bool,
) -> None:
    """Index the reports in PATHS (files or folders; default: seeds/)."""
    from .build import build_index
    from .embed import load_embedder
    from .ingest import SUPPORTED_SUFFIXES, find_report_files
    from .manage_cmd import build_progress
    from .parallel_embed import default_workers
    from .parse import ChunkSettings
    from .report_sequence import readable_reports

    failures: list[InputError] = []
    try:
        files = find_report_files(list(paths) or [DEFAULT_SEEDS])
        if not files:
            raise InputError(
                f"No {'/'.join(SUPPORTED_SUFFIXES)} reports found in "
                f"{', '.join(map(str, paths or (DEFAULT_SEEDS,)))}."
            )
        # A broken file is reported and skipped; the build fails only if nothing is readable.
        # Read one at a time when the build reaches them: 10,000 reports do not fit in memory.
        reports, failures = readable_reports(files)
        for failure in failures:
            click.echo(f"Skipped: {failure}", err=True)
        if not reports:
            raise InputError(f"None of the {len(files)} files could be read; nothing indexed.")
        ids = Counter(p.stem for p in reports.paths)
        duplicates = sorted(i for i, n in ids.items() if n > 1)
        if duplicates:
            raise InputError(f"Two reports share the name {duplicates[0]}; rename one of them.")
        started = time.perf_counter()
        model = load_embedder(embedder)
        load_s = time.perf_counter() - started
        with build_progress(len(reports)) as progress:
            result = build_index(
                reports,
                index_dir,
                model,
                ChunkSettings(max_chars=max_chars, overlap_sentences=overlap),
                progress=progress,
                force=force,
                workers=default_workers(),
            )
    except ReportQAError as exc:
        _fail(exc)
        return
    if not result.changed:
        click.echo(f"Index at {index_dir} is up to date ({result.reports} reports); nothing to do.")
        return
    click.echo(
        f"Indexed {result.reports} reports, {result.chunks} chunks into {index_dir} "
        f"in {result.seconds:.2f} s (model load {load_s:.2f} s); "
        f"embedded: {', '.join(result.embedded_reports) or 'none (reused)'}"
        + (f"; removed: {', '.join(result.removed_reports)}" if result.removed_reports else "")
    )
    if failures:
        click.echo(f"{len(failures)} file(s) failed and were not indexed (see above).", err=True)


def _print_answer(data: dict[str, Any]) -> None:
    if data.get("notice"):
        click.echo(f"（{data['notice']}）", err=True)
    click.echo(data["answer"])
    if data["refused"]:
        return
    click.echo("")
    for c in data["citations"]:
        where = c["section"] or "（正文）"
        page = f" 第{c['page']}页" if c.get("page") else ""
        click.echo(f"[{c['n']}] 《{c['title']}》{page} {where}  [{c['start']}:{c['end']}]")
        click.echo(f"    {c['text']}")


@main.command()
@click.argument("question", required=False)
@index_dir_option
@embedder_option
@click.option("--top-k", default=5, show_default=True, help="Passages given to the answer step.")
@click.option("--retriever", type=click.Choice(MODES), default="hybrid", show_default=True)
@click.option("--report", "reports", multiple=True, help="Search only this report id (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@generator_option
@click.option(
    "--batch",
    type=click.File("r", encoding="utf-8"),
    help='JSONL file of {"question": ...} objects; writes one answer per line.',
)
def ask(
    question: str | None,
    index_dir: Path,
    embedder: str | None,
    top_k: int,
    retriever: str,
    reports: tuple[str, ...],
    as_json: bool,
    generator: str | None,
    batch: Any,
) -> None:
    """Answer QUESTION from the indexed reports."""
    from .engine import Engine, check_question
    from .generate import load_generator

    mode = cast(Mode, retriever)
    try:
        if batch is None:
            check_question(question or "")
        engine = Engine(index_dir, embedder_name=embedder, generator=load_generator(generator))
        if batch is not None:
            _ask_batch(engine, batch, top_k, mode, list(reports))
            return
        answer = engine.ask(question or "", top_k=top_k, mode=mode, reports=list(reports))
    except InputError as exc:
        _fail(exc, code=2)
        return
    except ReportQAError as exc:
        _fail(exc)
        return
    data = answer.to_dict()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False))
    else:
        _print_answer(data)


def _ask_batch(engine: Any, batch: Any, top_k: int, mode: Mode, reports: list[str]) -> None:
    for line_no, line in enumerate(batch, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                raise ValueError('each line needs an object with a "question" string')
        except ValueError as exc:
            raise InputError(f"batch line {line_no}: {exc}") from exc
        try:
            data = engine.ask(item["question"], top_k=top_k, mode=mode, reports=reports).to_dict()
        except InputError as exc:
            data = {"question": item["question"], "error": str(exc)}
        extra = {k: v for k, v in item.items() if k not in data}
        click.echo(json.dumps({**extra, **data}, ensure_ascii=False))


from .eval_cmd import eval_command  # noqa: E402

main.add_command(eval_command)

from .serve_cmd import serve  # noqa: E402

main.add_command(serve)

from .manage_cmd import remove_command, reports_command  # noqa: E402

main.add_command(reports_command)
main.add_command(remove_command)
