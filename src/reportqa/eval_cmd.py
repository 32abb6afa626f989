"""`reportqa eval`: score the question set, write the report files, enforce an accuracy floor."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import click

from .errors import ReportQAError
from .options import backend_options, embedder_option, generator_option, index_dir_option
from .retrieve import MODES, Mode

DEFAULT_QUESTIONS = Path("eval/questions.jsonl")
DEFAULT_OUT = Path("eval/out")


def rejected_share(records: list[dict[str, Any]]) -> float:
    """The share of answers whose generated text failed verification (or the generator)."""
    return sum(r.get("verified") is False for r in records) / len(records) if records else 0.0


def modes_for(retriever: str) -> list[Mode]:
    """The modes one run compares; hybrid (the chat's default) first, as the one that is gated."""
    return list(MODES) if retriever == "all" else [cast(Mode, retriever)]


@click.command("eval")
@click.argument(
    "questions",
    required=False,
    default=DEFAULT_QUESTIONS,
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
)
@index_dir_option
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
    questions: Path,
    index_dir: Path,
    retriever: str,
    embedder: str | None,
    top_k: int,
    out: Path,
    min_accuracy: float | None,
    no_progress: bool,
    generator: str | None,
    backend: Any,
) -> None:
    """Score the question set QUESTIONS (default: eval/questions.jsonl) against the index."""
    from .engine import Engine
    from .eval_report import GROUP_COLUMNS
    from .evaluate import load_questions, run_eval, write_outputs
    from .generate import load_generator
    from .metrics import metric_table

    try:
        items = load_questions(questions)
        engine = Engine(index_dir, embedder_name=embedder, generator=load_generator(generator))
        backend.apply(engine)
        runs = [
            run_eval(engine, items, mode=mode, top_k=top_k, progress=not no_progress)
            for mode in modes_for(retriever)
        ]
    except ReportQAError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(1)
    context = {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "questions_file": str(questions),
        "index_dir": str(index_dir),
        "embedder": engine.manifest.get("embedder", {}).get("name"),
        "top_k": top_k,
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
    click.echo(f"\nBy type ({first}):")
    click.echo(metric_table(summaries[first]["by_type"], GROUP_COLUMNS, "type"))
    if engine.generator is not None:
        shares = ", ".join(f"{m} {s:.1%}" for m, s in context["verifier_rejected"].items())
        click.echo(f"\nGenerator {engine.generator.name}: verifier rejected {shares}")
    click.echo(f"\nWrote {', '.join(str(p) for p in paths.values())}")
    accuracy = overall[first]["accuracy"] or 0.0
    if min_accuracy is not None and accuracy < min_accuracy:
        click.echo(
            f"FAILED: answer accuracy {accuracy:.3f} ({first}) is below the floor "
            f"--min-accuracy {min_accuracy:.3f}.",
            err=True,
        )
        sys.exit(1)
