"""The REST API beside the chat, for programs that do not speak Gradio's protocol.

  POST /api/ask        {"question": str, "reports": [str] | null, "top_k": int} -> the object
                       `reportqa ask --json` prints
  GET  /api/reports    the indexed reports, as `reportqa reports --json` lists them
  GET  /api/health     the index generation in use, report and chunk counts
  GET  /api/openapi.json

Errors are JSON `{"error": code, "message": text}`: 400 for bad input (wrong types included),
503 while there is no usable index, 500 otherwise. Every request takes the engine of the index
generation in use once, so an index swap never changes the engine under a running request.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field

from reportqa.errors import IndexUnusableError, InputError, ReportQAError
from reportqa.indexing.live import LiveIndex
from reportqa.indexing.manifest import report_rows
from reportqa.records import Citation

log = logging.getLogger(__name__)

# What a client is told when answering failed in an unexpected way; the server log has the rest.
INTERNAL_ERROR = "内部错误，未能回答这个问题，详见服务器日志。(Internal error; see the server log.)"

MAX_TOP_K = 50
# Answers are CPU-bound (numpy, FAISS, Python): more threads than cores only queue inside the
# GIL and stretch every answer, so a pool of one thread per core serves the requests in turn.
# Measured on 2 cores with 50 clients (bench/bench_load.py): 2 threads answered as many questions
# per second as 3 or 4, with less CPU per question and about 100 MB less memory.
ANSWER_THREADS = int(os.environ.get("REPORTQA_API_THREADS", "0")) or min(4, os.cpu_count() or 2)
API_VERSION = "1"


class AskRequest(BaseModel):
    """A question; `reports` limits the search to these report ids (null or []: route by itself)."""

    model_config = ConfigDict(extra="forbid")

    question: Annotated[str, Field(strict=True, description="The question, in Chinese.")]
    reports: Annotated[
        list[Annotated[str, Field(strict=True)]] | None,
        Field(description="Report ids to search (see /api/reports); null searches all."),
    ] = None
    top_k: Annotated[int, Field(strict=True, ge=1, le=MAX_TOP_K)] = 5


class AskResponse(BaseModel):
    """Exactly what `reportqa ask --json` prints (generated answers add generator fields)."""

    model_config = ConfigDict(extra="allow")

    question: str
    answer: str
    refused: bool
    # the project's own citation record: the REST schema cannot drift from what `ask` returns
    citations: list[Citation]
    timings_ms: dict[str, float]


class ApiError(BaseModel):
    error: str
    message: str


class Health(BaseModel):
    status: str
    generation: str | None
    reports: int
    chunks: int
    swaps: int
    loaded_at: float | None
    error: str | None


def error_response(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        if err.get("type") == "json_invalid":
            parts.append(f"the body is not valid JSON (at character {err['loc'][-1]})")
            continue
        where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


class JsonErrorRoute(APIRoute):
    """Bad request bodies answer 400 with a JSON message (FastAPI's default is 422)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                return error_response(400, "bad_request", _validation_message(exc))

        return handle


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ApiError, "description": "Bad input: empty or over-long question, wrong types"},
    503: {"model": ApiError, "description": "No usable index yet"},
}


def api_router(live: LiveIndex, threads: int = ANSWER_THREADS) -> APIRouter:
    router = APIRouter(prefix="/api", route_class=JsonErrorRoute, tags=["reportqa"])
    pool = ThreadPoolExecutor(max_workers=max(1, threads), thread_name_prefix="reportqa-api")

    @router.post("/ask", response_model=AskResponse, responses=ERRORS)
    async def ask(request: AskRequest) -> Any:
        """Answer one question from the indexed reports, with its citations."""
        engine = live.engine
        if engine is None:
            return error_response(503, "no_index", str(_no_index(live)))
        loop = asyncio.get_running_loop()
        try:
            answer = await loop.run_in_executor(
                pool,
                lambda: engine.ask(
                    request.question, top_k=request.top_k, reports=request.reports or None
                ).to_dict(),
            )
        except InputError as exc:
            return error_response(400, "bad_request", str(exc))
        except IndexUnusableError as exc:
            return error_response(503, "no_index", str(exc))
        except ReportQAError as exc:
            return error_response(500, "failed", str(exc))
        except Exception:
            log.exception("answering %r failed", request.question)
            return error_response(500, "internal", INTERNAL_ERROR)
        return JSONResponse(answer)

    @router.get("/reports", responses=ERRORS)
    def reports() -> Any:
        """The indexed reports with their metadata and chunk counts."""
        engine = live.engine
        if engine is None:
            return error_response(503, "no_index", str(_no_index(live)))
        return {"generation": live.generation, "reports": report_rows(engine.manifest)}

    @router.get("/health", response_model=Health, responses=ERRORS)
    def health() -> Any:
        """Whether an index is loaded, and which generation of it."""
        status = live.status().to_dict()
        if live.engine is None:
            return JSONResponse({"status": "no_index", **status}, status_code=503)
        return {"status": "ok", **status}

    @router.get("/openapi.json", include_in_schema=False)
    def openapi() -> Any:
        return get_openapi(
            title="reportqa API",
            version=API_VERSION,
            description="Questions about Chinese government reports, answered with citations.",
            routes=router.routes,
        )

    return router


def _no_index(live: LiveIndex) -> IndexUnusableError:
    try:
        live.require()
    except IndexUnusableError as exc:
        return exc
    return IndexUnusableError("No index loaded.")


def add_api(app: FastAPI, live: LiveIndex) -> None:
    """Put the API's routes in front of the app's own (Gradio's), so that they take precedence."""
    router = api_router(live)
    app.include_router(router)
    ours = [r for r in app.router.routes if getattr(r, "path", "").startswith("/api/")]
    others = [r for r in app.router.routes if r not in ours]
    app.router.routes[:] = ours + others
