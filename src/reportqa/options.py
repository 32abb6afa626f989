"""Command-line options shared by several `reportqa` commands."""

from __future__ import annotations

from pathlib import Path

import click

from .generate import GENERATORS

DEFAULT_INDEX = Path("index")

index_dir_option = click.option(
    "--index-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=DEFAULT_INDEX,
    show_default=True,
    help="Folder of the index.",
)

embedder_option = click.option(
    "--embedder",
    default=None,
    help="Embedding model: use-multilingual-v3 (bundled default), a sentence-transformers model "
    "name in the local cache, or a local model folder. Also REPORTQA_EMBEDDER. An existing index "
    "is read with the embedder its manifest names.",
)

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
