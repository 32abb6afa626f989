"""One browser's conversation as the page sees it: kept in the browser, one question at a time.

The conversation lives in the browser's local storage (a Gradio BrowserState), so a refresh or a
server restart does not lose it; every event gets it from the browser and hands back the new one.
A question sent while the previous answer is still streaming is refused with a note and left in the
box, so nothing typed is lost and no empty turn appears. Votes on answers go to the feedback store.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import gradio as gr

from reportqa.evaluation.feedback import FeedbackStore, feedback_record
from reportqa.records import Citation

from .chat import MAX_TURNS_SHOWN, Chat, ChatState
from .question_input import counter_text, question_problem
from .render import Turn, sources_html

# The conversation is stored under this key. The value is the reader's own conversation, handed
# back to the same browser, so a fixed key only has to survive server restarts, not keep secrets.
STORAGE_KEY = "reportqa-conversation"
STORAGE_SECRET = "reportqa-conversation-v1"
MAX_STORED_MESSAGES = 2 * MAX_TURNS_SHOWN + 20
BUSY_NOTE = "正在回答上一个问题，请稍候再提问；您输入的内容已保留在输入框中。"
_ANSWER_ID = re.compile(r'data-answer-id="([0-9a-f]{1,32})"')


def state_to_json(state: ChatState) -> dict[str, Any]:
    return {
        "messages": state.messages[-MAX_STORED_MESSAGES:],
        "turns": [
            {
                "number": t.number,
                "question": t.question,
                "refused": t.refused,
                "citations": [c.to_dict() for c in t.citations],
                "answer": t.answer,
                "asked": t.asked,
                "id": t.id,
            }
            for t in state.turns
        ],
        "last_question": state.last_question,
        "last_topic": state.last_topic,
    }


def state_from_json(data: Any) -> ChatState:
    """The stored conversation; anything unreadable (an older format, a hand-edited value) gives
    an empty one rather than an error."""
    if not isinstance(data, Mapping):
        return ChatState()
    try:
        messages = [
            {"role": str(m["role"]), "content": str(m["content"])}
            for m in data.get("messages") or []
            if m.get("role") in ("user", "assistant")
        ]
        turns = [
            Turn(
                int(t["number"]),
                str(t["question"]),
                bool(t["refused"]),
                tuple(Citation.from_dict(c) for c in t.get("citations") or []),
                answer=str(t.get("answer") or ""),
                asked=str(t.get("asked") or ""),
                id=str(t.get("id") or ""),
            )
            for t in data.get("turns") or []
        ]
        last = data.get("last_question")
        topic = data.get("last_topic")
        return ChatState(
            messages,
            turns[-MAX_TURNS_SHOWN:],
            str(last) if last else None,
            str(topic) if topic else None,
        )
    except (AttributeError, KeyError, TypeError, ValueError):
        return ChatState()


def status_html(question: str = "", problem: str | None = None) -> str:
    """The line under the box: a problem with the question (if any) and the character counter."""
    note = (
        f'<span class="rqa-problem" role="alert">{html.escape(problem)}</span>'
        if problem
        else "<span></span>"
    )
    counter = f'<span id="rqa-counter" aria-live="off">{counter_text(question)}</span>'
    return f'<div class="rqa-status">{note}{counter}</div>'


def _button(busy: bool) -> Any:
    return gr.Button(value="回答中…" if busy else "提问", interactive=not busy)


class WebSession:
    """The page's events over a Chat: ask, restore, clear, vote."""

    def __init__(self, chat: Chat, feedback: FeedbackStore | None = None) -> None:
        self.chat = chat
        self.feedback = feedback
        self._busy: set[str] = set()
        self._lock = threading.Lock()

    # Outputs of the ask events: chatbot, sources, stored conversation, box, status, ask button.
    # Not named "ask": Gradio names an event's endpoint after its function, and /ask is the API's.
    def submit(
        self, question: str, reports: list[str] | None, stored: Any, request: gr.Request
    ) -> Iterator[tuple[Any, ...]]:
        yield from self._ask(question, reports, stored, request, clear_box=True, fresh=False)

    def submit_example(
        self, question: str, reports: list[str] | None, stored: Any, request: gr.Request
    ) -> Iterator[tuple[Any, ...]]:
        yield from self._ask(question, reports, stored, request, clear_box=False, fresh=False)

    def submit_fresh(
        self, question: str, reports: list[str] | None, stored: Any, request: gr.Request
    ) -> Iterator[tuple[Any, ...]]:
        yield from self._ask(question, reports, stored, request, clear_box=False, fresh=True)

    def _ask(
        self,
        question: str,
        reports: list[str] | None,
        stored: Any,
        request: gr.Request | None,
        clear_box: bool,
        fresh: bool,
    ) -> Iterator[tuple[Any, ...]]:
        skip = gr.skip()
        question = question if isinstance(question, str) else ""
        problem = question_problem(question)
        key = (request.session_hash if request is not None else None) or ""
        with self._lock:
            busy = key in self._busy
            if not busy and problem is None:
                self._busy.add(key)
        if busy:
            # A second press while answering: the box keeps what was typed. An empty one (a
            # double click) is ignored outright.
            yield (
                skip,
                skip,
                skip,
                skip,
                (status_html(question, BUSY_NOTE) if question.strip() else skip),
                skip,
            )
            return
        if problem is not None:
            # Nothing is added to the conversation; the question stays in the box to be fixed.
            yield skip, skip, skip, skip, status_html(question, problem), skip
            return
        try:
            first = True
            last: tuple[Any, ...] = ()
            for messages, panel, state, _ in self.chat.respond(
                question, reports, state_from_json(stored), fresh=fresh
            ):
                box = "" if (first and clear_box) else skip
                status = status_html("") if first and clear_box else skip
                button = _button(True) if first else skip
                last = (messages, panel, state)
                yield messages, panel, skip, box, status, button
                first = False
            messages, panel, state = last
            yield messages, panel, state_to_json(state), skip, skip, _button(False)
        finally:
            with self._lock:
                self._busy.discard(key)

    def restore(self, stored: Any) -> tuple[Any, str]:
        """The stored conversation on the page, when the page is opened or refreshed."""
        state = state_from_json(stored)
        return state.messages, sources_html(state.turns, self.chat.sections)

    def clear(self) -> tuple[Any, ...]:
        return (
            [],
            self.chat.empty_panel(),
            state_to_json(ChatState()),
            "",
            status_html(""),
            _button(False),
        )

    def vote(self, stored: Any, data: gr.LikeData) -> tuple[Any, Any, Any]:
        """Record 👍/👎 on an answer; returns (comment row, voted answer, note)."""
        state = state_from_json(stored)
        value = data.value
        text = value if isinstance(value, str) else str(value)
        match = _ANSWER_ID.search(text)
        turn = next((t for t in state.turns if match and t.id == match.group(1)), None)
        if turn is None or self.feedback is None or data.liked not in (True, False):
            return gr.Row(visible=False), None, _note("")
        rating = "up" if data.liked else "down"
        record = feedback_record(turn.id, rating, _turn_answer(turn))
        self.feedback.add(record)
        note = "感谢您的评价。" + ("可以补充说明哪里不对（可选）：" if rating == "down" else "")
        return gr.Row(visible=True), record, _note(note)

    def comment(self, text: str, voted: Any) -> tuple[Any, str, Any]:
        """Attach a comment to the last vote; returns (comment row, box, note)."""
        if not isinstance(voted, Mapping) or self.feedback is None:
            return gr.Row(visible=False), "", _note("")
        comment = (text or "").strip()
        if not comment:
            return gr.Row(visible=True), "", _note("说明为空，未保存。")
        self.feedback.add({**voted, "comment": comment[:2000]})
        return gr.Row(visible=False), "", _note("说明已保存，谢谢。")


def _note(text: str) -> Any:
    """The feedback line, shown only when it says something."""
    return gr.HTML(html.escape(text), visible=bool(text))


def _turn_answer(turn: Turn) -> dict[str, Any]:
    return {
        "asked": turn.asked or turn.question,
        "question": turn.question,
        "answer": turn.answer,
        "refused": turn.refused,
        "citations": [c.to_dict() for c in turn.citations],
    }
