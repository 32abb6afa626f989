"""`reportqa serve`: the web chat. Gradio is imported here only, so other commands start fast."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import click

from .errors import ReportQAError
from .feedback import default_feedback_path
from .feedback_cmd import feedback_option
from .options import backend_options, embedder_option, generator_option, index_dir_option


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=7860, show_default=True, type=int, help="Port to listen on.")
@index_dir_option
@embedder_option
@generator_option
@feedback_option
@backend_options
def serve(
    host: str,
    port: int,
    index_dir: Path,
    embedder: str | None,
    generator: str | None,
    feedback_path: Path | None,
    backend: Any,
) -> None:
    """Serve the web chat over the index."""
    started = time.perf_counter()
    # Load the index before importing the web stack: a missing index is reported at once.
    from .engine import Engine
    from .generate import load_generator

    try:
        engine = Engine(index_dir, embedder_name=embedder, generator=load_generator(generator))
        backend.apply(engine)
    except ReportQAError as exc:
        raise click.ClickException(str(exc)) from exc

    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from ui.app import Warmup, build_app, launch

    warmup = Warmup(engine)
    feedback = feedback_path or default_feedback_path(index_dir)
    # REPORTQA_STREAM_DELAY_S slows the clause-by-clause streaming (demonstrations, browser tests).
    delay = os.environ.get("REPORTQA_STREAM_DELAY_S")
    options: dict[str, Any] = {"stream_delay_s": float(delay)} if delay else {}
    demo = build_app(engine, warmup=warmup, feedback_path=feedback, **options)
    try:
        url = launch(demo, host=host, port=port, block=False, engine=engine)
    except OSError as exc:
        raise click.ClickException(f"Cannot listen on {host}:{port}: {exc}") from exc
    # Warm up once the server is listening: the page loads while the tokenizers do.
    warmup.start()
    ready_s = time.perf_counter() - started
    click.echo(
        f"reportqa web chat ready at {url} ({len(engine.reports)} reports, "
        f"{len(engine.chunks)} passages; started in {ready_s:.1f} s). Press Ctrl+C to stop.",
    )
    warmup.wait()
    click.echo(f"First answer ready (warm-up {warmup.seconds or 0:.1f} s).")
    demo.block_thread()  # returns on Ctrl+C, after closing the server
