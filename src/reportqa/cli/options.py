"""Command-line options shared by several `reportqa` commands."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from reportqa.errors import command_errors
from reportqa.generate.backends import GENERATORS

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


BACKENDS = ("faiss", "milvus")


def backend_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """--backend and the Milvus connection options, handed to the command as one `backend`
    argument (a reportqa.search.milvus_backend.BackendChoice)."""

    @functools.wraps(command)
    def with_backend(*args: Any, **kwargs: Any) -> Any:
        from reportqa.search.milvus_backend import BackendChoice

        with command_errors():  # options that do not fit together: exit status 2
            choice = BackendChoice.of(
                kwargs.pop("backend"),
                kwargs.pop("milvus_uri"),
                kwargs.pop("milvus_token"),
                kwargs.pop("milvus_collection"),
            )
        return command(*args, backend=choice, **kwargs)

    options = [
        click.option(
            "--backend",
            type=click.Choice(BACKENDS),
            default="faiss",
            envvar="REPORTQA_BACKEND",
            show_envvar=True,
            help="Where passages are searched: faiss (the index folder, default) or milvus "
            "(a Milvus Lite file or server kept in step with the index folder).",
        ),
        click.option(
            "--milvus-uri",
            envvar="REPORTQA_MILVUS_URI",
            show_envvar=True,
            help="Milvus Lite file (./milvus.db) or server (http://host:19530).",
        ),
        click.option(
            "--milvus-token",
            envvar="REPORTQA_MILVUS_TOKEN",
            default="",
            help="Milvus token (user:password or an API key); prefer the environment variable "
            "REPORTQA_MILVUS_TOKEN.",
        ),
        click.option(
            "--milvus-collection",
            envvar="REPORTQA_MILVUS_COLLECTION",
            default="",
            help="Collection name (default: reportqa_<index folder name>).",
        ),
    ]
    for option in reversed(options):
        with_backend = option(with_backend)
    return with_backend
