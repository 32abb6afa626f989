"""`reportqa eval`: score question sets (splits), write the report files, enforce an accuracy floor.

The question sets are JSON-lines files; a split is one of them named by its stem in eval/
(eval/dev.jsonl is the split "dev"). Splits are scored together in one pass but reported apart,
so tuning figures (dev) are never mixed up with held-out ones (test, test_corpus, test_fresh).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import click

from reportqa.cli.options import (
    backend_options,
    embedder_option,
    generator_option,
    index_dir_option,
)
from reportqa.errors import CommandError, InputError, command_errors
from reportqa.evaluation.record import EvalRecord
from reportqa.search.retrieve import MODES, Mode

EVAL_DIR = Path("eval")
# dev: tuned on; test, test_corpus and test_fresh: held out, reported only (test_fresh asks about
# twelve reports that no other split uses). Without arguments, every one of these files that
# exists is scored (a held-out file may not be there yet).
SPLITS = ("dev", "test", "test_corpus", "test_fresh")
DEFAULT_OUT = Path("eval/out")


def split_path(name: str, eval_dir: Path = EVAL_DIR) -> Path:
    return eval_dir / f"{name}.jsonl"


def question_files(
    files: tuple[Path, ...], splits: tuple[str, ...], eval_dir: Path = EVAL_DIR
) -> list[Path]:
    """The files to score: those given, then the named splits; by default every split present.

    A named split whose file is missing is an error; a default split that is missing is skipped.
    """
    chosen = list(files)
    for name in splits:
        path = split_path(name, eval_dir)
        if not path.is_file():
            raise InputError(f"No question file for the split {name!r}: {path} does not exist.")
        chosen.append(path)
    if not chosen:
        chosen = [p for p in (split_path(n, eval_dir) for n in SPLITS) if p.is_file()]
    if not chosen:
        raise InputError(
            f"No question files: give one, or --split NAME for {eval_dir}/NAME.jsonl "
            f"(NAME one of {', '.join(SPLITS)})."
        )
    return list(dict.fromkeys(chosen))  # the same file twice is scored once


def ensure_index(paths: list[Path], index_dir: Path, embedder: Any) -> str:
    """Build the index at `index_dir` from `paths`, or bring it up to date: only new or changed
    reports are embedded, so an up-to-date index is reused as it is."""
    from reportqa.indexing.build import build_index
    from reportqa.ingest.parse import ChunkSettings
    from reportqa.ingest.read import read_reports, select_report_files

    files, notes = select_report_files(paths)
    for note in notes:
        click.echo(note, err=True)
    reports, failures = read_reports(files)
    for failure in failures:
        click.echo(f"Skipped: {failure}", err=True)
    if not reports:
        raise InputError(f"No readable reports in {', '.join(map(str, paths))}; nothing indexed.")
    settings = ChunkSettings()
    result = build_index(reports, index_dir, embedder, settings)
    if not result.changed:
        return f"Index at {index_dir} is up to date ({result.reports} reports)."
    return (
        f"Indexed {result.reports} reports, {result.chunks} chunks into {index_dir} in "
        f"{result.seconds:.1f} s ({len(result.embedded_reports)} embedded)."
    )


def rejected_share(records: Sequence[EvalRecord]) -> float:
    """The share of answers whose generated text failed verification (or the generator)."""
    return sum(r.verified is False for r in records) / len(records) if records else 0.0


def modes_for(retriever: str) -> list[Mode]:
    """The modes one run compares; hybrid (the chat's default) first, as the one that is gated."""
    return list(MODES) if retriever == "all" else [cast(Mode, retriever)]


@click.command("eval")
@click.argument(
    "questions",
    nargs=-1,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
)
@click.option(
    "--split",
    "splits",
    multiple=True,
    type=click.Choice(SPLITS),
    help="Score eval/NAME.jsonl (repeatable). Default, with no QUESTIONS: every split present.",
)
@index_dir_option
@click.option(
    "--build-from",
    "build_from",
    multiple=True,
    type=click.Path(path_type=Path, exists=True),
    help="Build the index from these report files or folders first, or bring it up to date "
    "(repeatable). Without it, the index must exist.",
)
@click.option(
    "--retriever",
    type=click.Choice([*MODES, "all"]),
    default="hybrid",
    show_default=True,
    help="Retriever mode; 'all' compares hybrid, dense and keyword in one run.",
)
@embedder_option
@click.option("--top-k", default=5, show_default=True, help="Passages given to the answer step.")
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_OUT,
    show_default=True,
    help="Folder for summary.json, answers.jsonl, report.md and metrics.png.",
)
@click.option(
    "--min-accuracy",
    type=float,
    default=None,
    help="Exit with status 1 when answer accuracy (of the first mode) is below this floor.",
)
@click.option("--no-progress", is_flag=True, help="Hide the progress bar.")
@generator_option
@backend_options
def eval_command(
    questions: tuple[Path, ...],
    splits: tuple[str, ...],
    index_dir: Path,
    build_from: tuple[Path, ...],
    retriever: str,
    embedder: str | None,
    top_k: int,
    out: Path,
    min_accuracy: float | None,
    no_progress: bool,
    generator: str | None,
    backend: Any,
) -> None:
    """Score question files QUESTIONS and/or --split NAMEs (default: eval/dev.jsonl,
    eval/test.jsonl, eval/test_corpus.jsonl, eval/test_fresh.jsonl, those present) against the
    index. Questions about a report the index does not hold are skipped, and counted."""
    from reportqa.engine import Engine
    from reportqa.evaluation.metrics import metric_table
    from reportqa.evaluation.report import GROUP_COLUMNS, SPLIT_COLUMNS, headline
    from reportqa.evaluation.runner import (
        load_questions,
        partition_by_index,
        run_eval,
        write_outputs,
    )
    from reportqa.generate.backends import load_generator
    from reportqa.indexing.embed import load_embedder

    # eval has always exited with status 1 for every error, bad input included.
    with command_errors(input_status=1):
        files = question_files(questions, splits)
        items = [q for path in files for q in load_questions(path)]
        model = None
        if build_from:
            model = load_embedder(embedder)
            click.echo(ensure_index(list(build_from), index_dir, model))
            synced = backend.sync(index_dir)  # a Milvus collection follows the index folder
            if synced:
                click.echo(synced)
        engine = Engine(
            index_dir,
            embedder=model,
            embedder_name=embedder,
            generator=load_generator(generator),
        )
        backend.apply(engine)
        items, skipped = partition_by_index(items, engine.reports)
        if not items:
            raise InputError(f"None of the questions is about a report in the index {index_dir}.")
        runs = [
            run_eval(engine, items, mode=mode, top_k=top_k, progress=not no_progress)
            for mode in modes_for(retriever)
        ]
    if skipped:
        missing = sorted({q.report for q in skipped})
        click.echo(
            f"Skipped {len(skipped)} questions about {len(missing)} reports not in the index "
            f"({', '.join(missing[:5])}{', …' if len(missing) > 5 else ''}).",
            err=True,
        )
    context = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "questions_file": ", ".join(map(str, files)),
        "index_dir": str(index_dir),
        "indexed_reports": len(engine.reports),
        "embedder": engine.manifest.embedder.name,
        "top_k": top_k,
        "skipped_questions": len(skipped),
        "backend": backend.name,
    }
    if engine.generator is not None:
        # The share of generated answers that the verifier replaced by the extractive answer.
        context["generator"] = engine.generator.name
        context["verifier_rejected"] = {run.mode: rejected_share(run.records) for run in runs}
    paths = write_outputs(runs, out, context)
    summaries: dict[str, dict[str, Any]] = {run.mode: run.summary() for run in runs}
    overall = {mode: s["overall"] for mode, s in summaries.items()}
    click.echo(metric_table(overall, GROUP_COLUMNS, "retriever"))
    first = runs[0].mode
    by_split = summaries[first]["by_split"]
    click.echo(f"\nBy split ({first}):")
    click.echo(metric_table({n: s["overall"] for n, s in by_split.items()}, SPLIT_COLUMNS, "split"))
    for name, split in by_split.items():
        click.echo(f"\n{name}, by type ({first}):")
        click.echo(metric_table(split["by_type"], SPLIT_COLUMNS, "type"))
        if split["by_trap"]:
            click.echo(f"\n{name}, by trap ({first}):")
            click.echo(metric_table(split["by_trap"], SPLIT_COLUMNS, "trap"))
    if engine.generator is not None:
        shares = ", ".join(f"{m} {s:.1%}" for m, s in context["verifier_rejected"].items())
        click.echo(f"\nGenerator {engine.generator.name}: verifier rejected {shares}")
    click.echo(f"\nWrote {', '.join(str(p) for p in paths.values())}")
    click.echo("")
    for run in runs:
        for name, split in summaries[run.mode]["by_split"].items():
            click.echo(headline(name, run.mode, split["overall"]))
    accuracy = overall[first]["accuracy"] or 0.0
    if min_accuracy is not None and accuracy < min_accuracy:
        raise CommandError(
            f"answer accuracy {accuracy:.3f} ({first}) is below the floor "
            f"--min-accuracy {min_accuracy:.3f}."
        )
