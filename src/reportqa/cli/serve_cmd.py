"""`reportqa serve`: the web chat. Gradio is imported here only, so other commands start fast."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import click

from reportqa.cli.feedback_cmd import feedback_option
from reportqa.cli.options import (
    backend_options,
    embedder_option,
    generator_option,
    index_dir_option,
)
from reportqa.errors import CommandError, command_errors
from reportqa.evaluation.feedback import default_feedback_path


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=7860, show_default=True, type=int, help="Port to listen on.")
@index_dir_option
@embedder_option
@generator_option
@feedback_option
@click.option(
    "--admin",
    is_flag=True,
    help="Add the 报告管理 page (upload, remove, re-index); loopback hosts only without a token.",
)
@click.option(
    "--admin-token",
    envvar="REPORTQA_ADMIN_TOKEN",
    default=None,
    help="Enable report management behind this token (or set REPORTQA_ADMIN_TOKEN).",
)
@click.option(
    "--max-upload-mb",
    default=20.0,
    show_default=True,
    type=click.FloatRange(min=0.1),
    help="Largest report file accepted by the 报告管理 page.",
)
@backend_options
def serve(
    host: str,
    port: int,
    index_dir: Path,
    embedder: str | None,
    generator: str | None,
    feedback_path: Path | None,
    admin: bool,
    admin_token: str | None,
    max_upload_mb: float,
    backend: Any,
) -> None:
    """Serve the web chat and the REST API (/api/ask) over the index.

    A rebuilt index (reportqa index / remove) is picked up while serving.
    """
    started = time.perf_counter()
    from reportqa.admin_access import admin_access, uploads_dir_for

    # serve has always exited with status 1 for every error.
    with command_errors(input_status=1):  # before anything slow: a refused --admin is said at once
        admin_enabled, token = admin_access(host, admin, admin_token)
        uploads_dir = uploads_dir_for(index_dir) if admin_enabled else None
    # Load the index before importing the web stack: a missing index is reported at once.
    from reportqa.generate.backends import load_generator
    from reportqa.indexing.live import LiveIndex, engine_loader, load_generation

    with command_errors(input_status=1):
        loaded = load_generator(generator)
        load_engine = engine_loader(embedder, loaded)

        def loader(folder: Path, previous: Any) -> Any:
            # Every engine loaded, the first and those of a rebuilt index, searches the backend.
            engine = load_engine(folder, previous)
            backend.apply(engine)
            return engine

        engine, generation = load_generation(index_dir, lambda folder: loader(folder, None))
    live = LiveIndex(index_dir, loader)
    live.adopt(engine, generation)

    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    from ui.admin import AdminSettings
    from ui.app import Warmup, build_app, launch

    settings = AdminSettings(uploads_dir, token, max_upload_mb) if uploads_dir else None
    warmup = Warmup(engine)
    feedback = feedback_path or default_feedback_path(index_dir)
    # REPORTQA_STREAM_DELAY_S slows the clause-by-clause streaming (demonstrations, browser tests).
    delay = os.environ.get("REPORTQA_STREAM_DELAY_S")
    options: dict[str, Any] = {"stream_delay_s": float(delay)} if delay else {}
    demo = build_app(
        engine, warmup=warmup, feedback_path=feedback, live=live, admin=settings, **options
    )
    try:
        url = launch(demo, host=host, port=port, block=False, live=live)
    except OSError as exc:
        raise CommandError(f"Cannot listen on {host}:{port}: {exc}") from exc
    # Warm up once the server is listening: the page loads while the tokenizers do.
    warmup.start()
    live.start()
    ready_s = time.perf_counter() - started
    click.echo(
        f"reportqa web chat ready at {url} ({len(engine.reports)} reports, "
        f"{len(engine.chunks)} passages; started in {ready_s:.1f} s). Press Ctrl+C to stop.",
    )
    click.echo(f"REST API: {url.rstrip('/')}/api/ask (schema: {url.rstrip('/')}/api/openapi.json)")
    if settings is not None:
        click.echo(
            f"报告管理: {url.rstrip('/')}/admin (uploads go to {settings.uploads_dir}"
            + (", token required" if settings.token else "")
            + ")"
        )
    warmup.wait()
    click.echo(f"First answer ready (warm-up {warmup.seconds or 0:.1f} s).")
    demo.block_thread()  # returns on Ctrl+C, after closing the server
