"""The chat's behaviour, apart from its page: answer a turn, stream it, keep the conversation."""

from __future__ import annotations

import html
import logging
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from reportqa.answer.followup import Understood, split_topic, understand
from reportqa.answer.inputs import report_ids
from reportqa.engine import Engine
from reportqa.errors import ReportQAError
from reportqa.generate.backends import OnToken
from reportqa.generate.checked import stream_drafts
from reportqa.records import Answer, Citation

from .question_input import question_problem
from .render import (
    SectionIndex,
    Turn,
    answer_html,
    clauses,
    notice_html,
    pending_html,
    question_html,
    refusal_html,
    sources_html,
    tools_html,
    where_text,
)
from .style import copy_data
from .transcript import answer_plain, turn_markdown

log = logging.getLogger(__name__)

STREAM_DELAY_S = 0.08  # pause between streamed clauses, so the answer visibly builds up
MAX_TURNS_SHOWN = 20  # sources of older questions are dropped beyond this
INTERNAL_ERROR = "出现内部错误，未能回答这个问题。请换个问法或稍后再试。"

Messages = list[dict[str, str]]


def draft_html(draft: str) -> str:
    return f'<div class="rqa-pending">生成中，核验前：{html.escape(draft)}</div>'


@dataclass
class ChatState:
    """One browser session's conversation."""

    messages: list[dict[str, str]] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    last_question: str | None = None  # the last question as understood, for follow-ups
    last_topic: str | None = None  # its subject, without what earlier follow-ups added

    def previous(self) -> Understood | None:
        if not self.last_question:
            return None
        topic = self.last_topic or split_topic(self.last_question)[0]
        return Understood(self.last_question, topic, False)


def resolve_reports(engine: Engine, reports: Sequence[str] | None) -> list[str] | None:
    """Report ids from ids or titles; None (search every report) when none are chosen."""
    # A program may send one id as a plain string, or something that is not an id at all.
    reports = report_ids(reports)
    if not reports:
        return None
    by_title = {info.title: rid for rid, info in engine.reports.items()}
    return [by_title.get(r, r) for r in reports]


class Warmup:
    """Answers one question in the background so that the first visitor does not wait.

    The first answer loads the tokenizers (a few seconds); serving starts before that, and requests
    wait for the warm-up rather than race it through the same lazy loading.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.done = threading.Event()
        self.seconds: float | None = None

    def start(self) -> None:
        threading.Thread(target=self._run, name="reportqa-warmup", daemon=True).start()

    def _run(self) -> None:
        started = time.perf_counter()
        try:
            question = (
                next(iter(self.engine.reports.values())).title if self.engine.reports else "报告"
            )
            self.engine.ask(question)
        except Exception:  # a failed warm-up only means the first real question is slower
            log.exception("warm-up failed")
        finally:
            self.seconds = time.perf_counter() - started
            self.done.set()

    def wait(self, timeout_s: float = 120.0) -> None:
        self.done.wait(timeout_s)


class Chat:
    """Answers the turns of every session over one engine; a session's state is passed in."""

    def __init__(
        self, engine: Engine, warmup: Warmup | None = None, stream_delay_s: float = STREAM_DELAY_S
    ) -> None:
        self.engine = engine
        self.warmup = warmup
        self.stream_delay_s = stream_delay_s
        self.sections = SectionIndex(engine.chunks, engine.texts)

    def ask(
        self, question: str, reports: Sequence[str] | None = None, on_token: OnToken | None = None
    ) -> Answer:
        if self.warmup is not None:
            self.warmup.wait()
        resolved = resolve_reports(self.engine, reports)
        if on_token is None:  # the extractive path calls the engine exactly as before
            return self.engine.ask(question, reports=resolved)
        return self.engine.ask(question, reports=resolved, on_token=on_token)

    def empty_panel(self) -> str:
        return sources_html([], self.sections)

    def respond(
        self, question: str, reports: list[str] | None, state: ChatState, fresh: bool = False
    ) -> Iterator[tuple[Messages, str, ChatState, str]]:
        """Yield (messages, sources panel, state, question box) as the answer builds up.

        `fresh` asks the question on its own, without reading it as a follow-up.
        """
        state = replace(state, messages=list(state.messages), turns=list(state.turns))
        question = question if isinstance(question, str) else ""
        user = {"role": "user", "content": question_html(question)}
        panel = sources_html(state.turns, self.sections)
        problem = question_problem(question)
        if problem is not None:
            state.messages += [user, {"role": "assistant", "content": notice_html(problem)}]
            yield state.messages, panel, state, ""
            return
        understood = understand(question.strip(), None if fresh else state.previous())
        resolved = understood.question
        rewritten = resolved if understood.rewritten else None
        pending = {"role": "assistant", "content": pending_html()}
        yield [*state.messages, user, pending], panel, state, ""
        try:
            if getattr(self.engine, "generator", None) is None:
                answer = self.ask(resolved, reports)
            else:
                # The model's draft shows as it is written, marked unverified; the verified
                # answer (or the extractive one, with a notice) then replaces it.
                for draft, done in stream_drafts(lambda tok: self.ask(resolved, reports, tok)):
                    if done is not None:
                        answer = done
                        break
                    live = {"role": "assistant", "content": draft_html(draft)}
                    yield [*state.messages, user, live], panel, state, ""
        except ReportQAError as exc:
            state.messages += [user, {"role": "assistant", "content": notice_html(str(exc))}]
            yield state.messages, panel, state, ""
            return
        except Exception:  # the page must get a message, never a traceback
            log.exception("answering %r failed", resolved)
            state.messages += [user, {"role": "assistant", "content": notice_html(INTERNAL_ERROR)}]
            yield state.messages, panel, state, ""
            return

        state.last_question = resolved
        state.last_topic = understood.topic
        number = (state.turns[-1].number + 1) if state.turns else 1
        answer_id = uuid.uuid4().hex[:12]
        turn = Turn(
            number,
            resolved,
            answer.refused,
            tuple(answer.citations),
            answer=answer.answer,
            asked=question.strip(),
            id=answer_id,
        )
        state.turns = [*state.turns, turn][-MAX_TURNS_SHOWN:]
        panel = sources_html(state.turns, self.sections)
        if answer.refused:
            final = refusal_html(answer.answer, rewritten, ask_as_new=True)
        else:
            # Stream clause by clause; the sources are in place before the markers that link there.
            shown = ""
            for piece in clauses(answer.answer)[:-1]:
                shown += piece
                partial = {"role": "assistant", "content": answer_html(shown, number, rewritten)}
                yield [*state.messages, user, partial], panel, state, ""
                time.sleep(self.stream_delay_s)
            final = answer_html(answer.answer, number, rewritten, ask_as_new=True)
        if answer.notice:  # a generated answer was not shown: say why the reply is a quotation
            why = "；".join(answer.problems[:3])
            final = notice_html(answer.notice + (f"（{why}）" if why else "")) + final
        final = self.finished_html(final, turn)
        state.messages += [user, {"role": "assistant", "content": final}]
        yield state.messages, panel, state, ""

    def finished_html(self, body: str, turn: Turn) -> str:
        """A finished answer with its copy button, and the texts the copy and export buttons use."""

        def locate(citation: Citation) -> str:
            return where_text(citation, self.sections)

        asked = turn.asked or turn.question
        payload = {
            "id": turn.id,
            "asked": asked,
            "text": f"问：{asked}\n答："
            + answer_plain(turn.answer, turn.citations, turn.refused, locate),
            "md": turn_markdown(
                asked, turn.answer, turn.citations, turn.refused, turn.question, locate
            ),
        }
        return (
            f'<div class="rqa-msg" data-answer-id="{turn.id}">{body}{tools_html()}'
            f"{copy_data(payload)}</div>"
        )

    def clear(self) -> tuple[Messages, str, ChatState, str]:
        return [], self.empty_panel(), ChatState(), ""

    def answer_dict(self, question: str, reports: Sequence[str] | None = None) -> dict[str, Any]:
        """The same object as `reportqa ask --json`."""
        return self.ask(question, reports).to_dict()
