"""A generated answer held to the extractive answer's standard, or the extractive answer instead.

The generator sees the retrieved passages as [1]..[k]; its reply is verified against exactly those
passages. A sound reply becomes the answer, its citations renumbered 1..m in the order it cites
them; anything else (a failed check, a timeout, an error) gives the extractive answer with a notice.
"""

from __future__ import annotations

import queue
import re
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace

from reportqa.errors import GeneratorError
from reportqa.generate.backends import (
    Generator,
    Messages,
    OnToken,
    Passage,
    build_prompt,
)
from reportqa.generate.verify import cited, is_no_answer, verify
from reportqa.records import (
    CITATION_MARKER,
    CITATION_MARKER_ANY_FORM,
    Answer,
    Citation,
    Hit,
    ReportInfo,
)

NOTICE_UNVERIFIED = "生成的回答未通过核验（见 problems），以下为从报告中摘录的回答。"
NOTICE_FAILED = "语言模型未能回答（{error}），以下为从报告中摘录的回答。"


def passages_for(hits: Sequence[Hit], reports: Mapping[str, ReportInfo]) -> list[Passage]:
    return [
        Passage(
            title=reports[h.chunk.report].title if h.chunk.report in reports else h.chunk.report,
            section=h.chunk.section,
            text=h.chunk.text,
        )
        for h in hits
    ]


def renumber(
    text: str, hits: Sequence[Hit], passages: Sequence[Passage]
) -> tuple[str, list[Citation]]:
    """The answer with its passage numbers renumbered 1..m in citing order, and those citations."""
    order = list(dict.fromkeys(cited(text)))
    new = {old: i for i, old in enumerate(order, start=1)}
    citations = [Citation.of(n, hits[old - 1], passages[old - 1].title) for old, n in new.items()]
    body = CITATION_MARKER_ANY_FORM.sub(lambda m: f"[{new[int(m.group(1))]}]", text.strip())
    return re.sub(rf"\s+(?={CITATION_MARKER.pattern})", "", body), citations


def generated_answer(
    question: str,
    hits: Sequence[Hit],
    reports: Mapping[str, ReportInfo],
    extractive: Answer,
    generator: Generator,
    on_token: OnToken | None = None,
) -> Answer:
    """The generator's answer if it passes `verify`, else `extractive` marked with why."""
    fallback = replace(extractive, generator=generator.name, verified=False)
    if not hits:
        # Nothing retrieved: nothing to generate from, and the extractive refusal is exact.
        return replace(fallback, verified=True)
    passages = passages_for(hits, reports)
    try:
        reply = generate_within(
            generator,
            build_prompt(question, passages),
            on_token,
            getattr(generator, "timeout_s", None),
        )
    except GeneratorError as exc:
        return replace(
            fallback, problems=[f"generator failed: {exc}"], notice=NOTICE_FAILED.format(error=exc)
        )
    ok, problems = verify(reply, [p.render() for p in passages])
    if not ok:
        return replace(fallback, problems=problems, notice=NOTICE_UNVERIFIED)
    if is_no_answer(reply):
        return replace(
            fallback, answer=reply.strip(), refused=True, citations=[], verified=True, notice=None
        )
    text, citations = renumber(reply, hits, passages)
    return replace(fallback, answer=text, refused=False, citations=citations, verified=True)


def generate_within(
    generator: Generator,
    messages: Messages,
    on_token: OnToken | None,
    seconds: float | None,
) -> str:
    """`generator.generate(...)`, or a GeneratorError once `seconds` have passed in all.

    The deadline covers the whole request, however the generator spends it (connecting, waiting,
    streaming slowly). The generator runs in a thread that is left to finish on its own; tokens it
    sends after the deadline are dropped.
    """
    if seconds is None:
        return generator.generate(messages, on_token)
    done = threading.Event()
    expired = threading.Event()
    result: list[str] = []
    failure: list[BaseException] = []

    def forward(piece: str) -> None:
        if on_token is not None and not expired.is_set():
            on_token(piece)

    def run() -> None:
        try:
            result.append(generator.generate(messages, forward))
        except BaseException as exc:  # re-raised in the caller's thread below
            failure.append(exc)
        finally:
            done.set()

    threading.Thread(target=run, name="reportqa-generate-deadline", daemon=True).start()
    if not done.wait(seconds):
        expired.set()
        raise GeneratorError(f"timed out: no complete answer within {seconds:g} s")
    if failure:
        raise failure[0]
    return result[0]


def stream_drafts(ask: Callable[[OnToken], Answer]) -> Iterator[tuple[str, Answer | None]]:
    """Run `ask(on_token)` in a thread; yield (draft so far, None) as tokens arrive, then
    (draft, answer). The draft is unverified text, for showing progress only; errors re-raise."""
    tokens: queue.Queue[str | None] = queue.Queue()
    result: list[Answer] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            result.append(ask(tokens.put))
        except BaseException as exc:  # re-raised in the caller's thread below
            failure.append(exc)
        finally:
            tokens.put(None)

    threading.Thread(target=run, name="reportqa-generate", daemon=True).start()
    draft = ""
    while (piece := tokens.get()) is not None:
        draft += piece
        yield draft, None
    if failure:
        raise failure[0]
    yield draft, result[0]
