"""`reportqa feedback`: export the readers' votes on answers, merged, as JSONL."""

from __future__ import annotations

import json
from pathlib import Path

import click

from reportqa.cli.options import index_dir_option
from reportqa.errors import command_errors
from reportqa.evaluation.feedback import FeedbackStore, as_eval_question, default_feedback_path

feedback_option = click.option(
    "--feedback",
    "feedback_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Feedback file (default: $REPORTQA_FEEDBACK, else feedback.jsonl beside the index folder).",
)


@click.command("feedback")
@index_dir_option
@feedback_option
@click.option("--down-only", is_flag=True, help="Only answers voted 👎.")
@click.option(
    "--as-eval",
    is_flag=True,
    help="Print lines in the form of eval/dev.jsonl, to be completed and added to the set.",
)
def feedback_command(
    index_dir: Path, feedback_path: Path | None, down_only: bool, as_eval: bool
) -> None:
    """Print the feedback given in the web chat, one JSON object per answer (latest vote)."""
    path = feedback_path or default_feedback_path(index_dir)
    with command_errors():
        records = FeedbackStore(path).records()
    if down_only:
        records = [r for r in records if r.get("rating") == "down"]
    for record in records:
        click.echo(json.dumps(as_eval_question(record) if as_eval else record, ensure_ascii=False))
    click.echo(f"{len(records)} answer(s) from {path}", err=True)
