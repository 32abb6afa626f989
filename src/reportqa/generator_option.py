"""The `--generator` option shared by `ask`, `serve` and `eval`."""

from __future__ import annotations

import click

from .generate import GENERATORS

generator_option = click.option(
    "--generator",
    type=click.Choice(GENERATORS),
    default=None,
    envvar="REPORTQA_GENERATOR",
    show_envvar=True,
    help="Who writes the answer: extractive (default; quotes the reports), openai (an "
    "OpenAI-compatible server, see REPORTQA_OPENAI_BASE_URL) or transformers (a local model, "
    "see REPORTQA_TRANSFORMERS_MODEL). Generated answers are verified; failures fall back.",
)
