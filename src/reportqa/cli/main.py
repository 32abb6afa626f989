"""The `reportqa` command line: thin commands over the library; user errors are messages."""

from __future__ import annotations

import json
import os
import time
from collections import Counter
from pathlib import Path
from typing import Any, cast

import click

from reportqa.cli.eval_cmd import eval_command
from reportqa.cli.feedback_cmd import feedback_command
from reportqa.cli.manage_cmd import build_progress, remove_command, reports_command
from reportqa.cli.options import (
    backend_options,
    embedder_option,
    generator_option,
    index_dir_option,
)
from reportqa.cli.serve_cmd import serve
from reportqa.errors import CommandError, InputError, command_errors
from reportqa.records import Answer
from reportqa.search.retrieve import MODES, Mode

DEFAULT_SEEDS = Path("seeds")


@click.group()
@click.version_option(package_name="reportqa")
def main() -> None:
    """Answer questions about Chinese government reports, with exact citations."""
    # reportqa never downloads a model (models load with local_files_only). The Hugging Face
    # libraries read their offline switch once, when first imported, which happens later and
    # lazily; set here, it also keeps them from asking the hub for anything else (a missing
    # model then fails at once rather than after network timeouts). The command line owns the
    # process environment; the library modules leave it alone.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@index_dir_option
@embedder_option
@click.option(
    "--max-chars",
    default=200,
    show_default=True,
    type=click.IntRange(min=1),
    help="Largest chunk, in characters.",
)
@click.option(
    "--overlap",
    default=1,
    show_default=True,
    # a chunk keeps this many sentences of the one before; more than a few only repeats text
    type=click.IntRange(0, 10),
    help="Sentences repeated between chunks.",
)
@click.option("--force", is_flag=True, help="Rebuild even if nothing changed.")
@backend_options
def index(
    paths: tuple[Path, ...],
    index_dir: Path,
    embedder: str | None,
    max_chars: int,
    overlap: int,
    force: bool,
    backend: Any,
) -> None:
    """Index the reports in PATHS (files or folders; default: seeds/)."""
    from reportqa.indexing.build import build_index, embeds_every_file
    from reportqa.indexing.carryover import indexed_files_not_named, keep_unreadable_indexed
    from reportqa.indexing.embed import load_embedder, resolve_embedder_name
    from reportqa.indexing.guard import check_replaceable
    from reportqa.indexing.parallel_embed import default_workers, start_processes
    from reportqa.ingest.parse import ChunkSettings
    from reportqa.ingest.read import SUPPORTED_SUFFIXES, select_report_files
    from reportqa.ingest.report_sequence import readable_reports

    with command_errors():
        files, notes = select_report_files(list(paths) or [DEFAULT_SEEDS])
        for note in notes:
            click.echo(note, err=True)
        # Before any work: never replace a folder reportqa did not make.
        check_replaceable(index_dir, files)
        if not files:
            raise InputError(
                f"No {'/'.join(SUPPORTED_SUFFIXES)} reports found in "
                f"{', '.join(map(str, paths or (DEFAULT_SEEDS,)))}."
            )
        # Reports indexed before and not named now stay while their files exist.
        unnamed = indexed_files_not_named(index_dir, files)
        if unnamed:
            click.echo(
                f"Kept {len(unnamed)} report(s) indexed before and not named here (their files "
                f"are still there): {', '.join(p.stem for p in unnamed[:10])}"
                + (" …" if len(unnamed) > 10 else "")
                + f". Take one out with: reportqa remove ID --index-dir {index_dir}",
                err=True,
            )
            files = [*files, *unnamed]
        workers = default_workers()
        # A first build of many files embeds in processes from its start: they load their
        # model while the files are checked.
        processes = (
            start_processes(resolve_embedder_name(embedder), workers)
            if embeds_every_file(index_dir, len(files), workers, resolve_embedder_name(embedder))
            else None
        )
        # A broken file is reported and skipped; the build fails only if nothing is readable.
        # Read one at a time when the build reaches them: 10,000 reports do not fit in memory.
        reports, failures = readable_reports(files, beside=index_dir)
        for failure in failures:
            click.echo(f"Skipped: {failure}", err=True)
        # An indexed report whose file cannot be read now keeps its indexed copy.
        kept = keep_unreadable_indexed(index_dir, files, reports.paths)
        reports = reports.with_kept(kept)
        for report in kept:
            click.echo(
                f"Kept the indexed copy of {report.id}: its file cannot be read now. Fix the "
                f"file, or take the report out with: reportqa remove {report.id} "
                f"--index-dir {index_dir}",
                err=True,
            )
        if not reports:
            raise InputError(f"None of the {len(files)} files could be read; nothing indexed.")
        ids = Counter(p.stem for p in reports.all_paths())
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
                workers=workers,
                processes=processes,
            )
        # The index folder is the source of truth; a Milvus collection follows it.
        synced = backend.sync(index_dir)
    if synced:
        click.echo(synced)
    if not result.changed:
        click.echo(f"Index at {index_dir} is up to date ({result.reports} reports); nothing to do.")
        _exit_if_failed(failures)
        return
    click.echo(
        f"Indexed {result.reports} reports, {result.chunks} chunks into {index_dir} "
        f"in {result.seconds:.2f} s (model load {load_s:.2f} s); "
        f"embedded: {', '.join(result.embedded_reports) or 'none (reused)'}"
        + (f"; removed: {', '.join(result.removed_reports)}" if result.removed_reports else "")
    )
    _exit_if_failed(failures)


def _exit_if_failed(failures: list[InputError]) -> None:
    """Fail (status 1) when any file could not be read: a script must not take a partial index
    for a whole one."""
    if failures:
        raise CommandError(f"{len(failures)} file(s) could not be read (see above).")


def _print_answer(answer: Answer) -> None:
    if answer.notice:
        click.echo(f"（{answer.notice}）", err=True)
        # why the generated answer was replaced, so the reader can judge the notice
        for problem in answer.problems:
            click.echo(f"  - {problem}", err=True)
    click.echo(answer.answer)
    if answer.refused:
        return
    click.echo("")
    for c in answer.citations:
        where = c.section or "（正文）"
        page = f" 第{c.page}页" if c.page else ""
        click.echo(f"[{c.n}] 《{c.title}》{page} {where}  [{c.start}:{c.end}]")
        click.echo(f"    {c.text}")


@main.command()
@click.argument("question", required=False)
@index_dir_option
@embedder_option
@click.option(
    "--top-k",
    default=5,
    show_default=True,
    type=click.IntRange(min=1),
    help="Passages given to the answer step.",
)
@click.option("--retriever", type=click.Choice(MODES), default="hybrid", show_default=True)
@click.option("--report", "reports", multiple=True, help="Search only this report id (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@generator_option
@click.option(
    "--batch",
    # read as bytes: each line is decoded on its own, so one badly encoded line is reported
    # and the others are still answered
    type=click.File("rb"),
    help='JSONL file of {"question": ...} objects; writes one answer per line.',
)
@backend_options
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
    backend: Any,
) -> None:
    """Answer QUESTION from the indexed reports."""
    from reportqa.engine import Engine, check_question
    from reportqa.generate.backends import load_generator

    mode = cast(Mode, retriever)
    with command_errors():
        if batch is not None and question is not None:
            raise InputError(
                "Give either a QUESTION or --batch FILE, not both (the question would be ignored)."
            )
        if batch is None:
            check_question(question or "")
        engine = Engine(index_dir, embedder_name=embedder, generator=load_generator(generator))
        backend.apply(engine)
        if batch is not None:
            _ask_batch(engine, batch, top_k, mode, list(reports))
            return
        answer = engine.ask(question or "", top_k=top_k, mode=mode, reports=list(reports))
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False))
    else:
        _print_answer(answer)


def _ask_batch(engine: Any, batch: Any, top_k: int, mode: Mode, reports: list[str]) -> None:
    """Answer every usable line; a bad line gets an error line (with its number) in the output
    and on stderr, and the command exits with status 2 once the good lines are answered."""
    from reportqa.answer.inputs import batch_lines

    bad: list[int] = []
    for line in batch_lines(batch):
        if line.item is None:
            bad.append(line.number)
            click.echo(f"Error: batch line {line.number}: {line.error}", err=True)
            click.echo(json.dumps({"line": line.number, "error": line.error}, ensure_ascii=False))
            continue
        item = line.item
        try:
            data = engine.ask(item["question"], top_k=top_k, mode=mode, reports=reports).to_dict()
        except InputError as exc:
            data = {"question": item["question"], "error": str(exc)}
        extra = {k: v for k, v in item.items() if k not in data}
        click.echo(json.dumps({**extra, **data}, ensure_ascii=False))
    if bad:
        raise InputError(f"{len(bad)} batch line(s) could not be used: {bad[:20]}")


# The commands that live in their own modules; none of them imports this one.
main.add_command(eval_command)
main.add_command(serve)
main.add_command(reports_command)
main.add_command(remove_command)
main.add_command(feedback_command)
