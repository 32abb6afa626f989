"""The web chat's own pages beside Gradio's: the original document at a cited place, and a ping
the page polls to notice that the server went away and came back."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from fastapi.routing import APIRoute

from reportqa.engine import Engine

from .docview import DOC_ROUTE, document_html, not_found_html, page_starts, parse_highlights
from .style import PING_ROUTE


def _offset(value: str | None, default: int) -> int:
    return int(value) if value is not None and value.isdigit() else default


def page_routes(current_engine: Callable[[], Engine]) -> list[APIRoute]:
    """The routes; `current_engine` gives the engine in use (a served index can be swapped)."""

    def document(report: str, request: Request) -> HTMLResponse:
        engine = current_engine()
        info = engine.reports.get(report)
        text = engine.texts.get(report) if info is not None else None
        if info is None or text is None:
            return HTMLResponse(not_found_html(report), status_code=404)
        start = _offset(request.query_params.get("start"), 0)
        end = _offset(request.query_params.get("end"), start)
        highlights = parse_highlights(request.query_params.get("hl"))
        pages = page_starts(engine.chunks, report)
        page = document_html(report, info.title, text, start, end, highlights, pages)
        return HTMLResponse(page)

    def ping() -> PlainTextResponse:
        return PlainTextResponse("ok", headers={"Cache-Control": "no-store"})

    return [
        APIRoute(f"{DOC_ROUTE}/{{report}}", document, methods=["GET"], include_in_schema=False),
        APIRoute(PING_ROUTE, ping, methods=["GET"], include_in_schema=False),
    ]
