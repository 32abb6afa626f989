"""The reportqa web chat: ask, read a streamed answer, check each [n] against its highlighted source.

`build_app(engine)` makes the Gradio app; `launch(app, host, port)` serves it locally (127.0.0.1,
no share link, no analytics, no server-side rendering).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

# Gradio reads this when it is imported; usage reports would leave the machine.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import gradio as gr  # noqa: E402

from reportqa.engine import Engine, check_question  # noqa: E402
from reportqa.errors import InputError, ReportQAError  # noqa: E402
from reportqa.followup import contextualize  # noqa: E402

from .render import (  # noqa: E402
    SectionIndex,
    Turn,
    answer_html,
    clauses,
    notice_html,
    pending_html,
    question_html,
    refusal_html,
    sources_html,
)

log = logging.getLogger(__name__)

# Questions about the seed reports, by the report that answers them; shown when it is indexed.
DEFAULT_EXAMPLES = (
    ("jinghu-2024-fazhi", "2024年镜湖区全区新收行政复议案件多少件？"),
    ("jinghu-2024-fazhi", "码上知是什么？"),
    ("xiamen-2024-zfgzbg", "厦门市2024年地区生产总值增长多少？"),
    ("huaian-2024-xxgk-nianbao", "淮安市2024年主动公开政府信息多少条？"),
    ("anhui-2026-zfgzbg", "安徽省2025年粮食产量多少？"),
)
# Requests served at once. engine.ask only reads the index, so threads can share it.
CONCURRENCY = 32
STREAM_DELAY_S = 0.03  # pause between streamed clauses, so the answer visibly builds up
MAX_TURNS_SHOWN = 20  # sources of older questions are dropped beyond this

CSS = """
.rqa-question { white-space: pre-wrap; }
.rqa-rewrite { font-size: 0.85em; color: #6b7280; margin-bottom: 0.4em; }
.rqa-answer a.rqa-cite { color: #1d4ed8; font-weight: 600; text-decoration: none; cursor: pointer;
  padding: 0 1px; }
.rqa-answer a.rqa-cite:hover { text-decoration: underline; }
.rqa-refusal { border-left: 4px solid #d97706; background: #fffbeb; color: #78350f;
  padding: 0.5em 0.8em; border-radius: 4px; }
.rqa-refusal-title { font-weight: 700; margin-bottom: 0.2em; }
.rqa-error { border-left: 4px solid #dc2626; background: #fef2f2; color: #7f1d1d;
  padding: 0.5em 0.8em; border-radius: 4px; }
.rqa-pending { color: #6b7280; font-style: italic; }
.rqa-sources { font-size: 0.95em; line-height: 1.6; }
.rqa-empty, .rqa-none { color: #6b7280; }
.rqa-turn-q { font-weight: 700; margin: 0.2em 0 0.5em; }
.rqa-src { border: 1px solid #e5e7eb; border-radius: 6px; padding: 0.6em 0.8em; margin-bottom: 0.7em;
  scroll-margin-top: 80px; transition: box-shadow 0.3s; }
.rqa-src.rqa-flash { box-shadow: 0 0 0 3px #60a5fa; }
.rqa-src-head { font-weight: 600; }
.rqa-n { color: #1d4ed8; }
.rqa-page { margin-left: 0.5em; color: #6b7280; font-weight: 400; }
.rqa-src-section { color: #4b5563; font-size: 0.9em; }
.rqa-passage { margin: 0.4em 0; padding-left: 0.7em; border-left: 3px solid #d1d5db; }
.rqa-sources mark { background: #fde68a; color: inherit; padding: 0 1px; }
.rqa-offsets { color: #9ca3af; font-size: 0.8em; }
.rqa-context summary, .rqa-older summary { cursor: pointer; color: #1d4ed8; font-size: 0.9em; }
.rqa-section-text { white-space: pre-wrap; background: #f9fafb; padding: 0.5em; margin-top: 0.3em;
  max-height: 24em; overflow-y: auto; }
.rqa-chunk { text-decoration: underline dotted #9ca3af; }
"""

# Clicking an [n] marker opens and scrolls to its source. The chat renders links itself (and may open
# them in a new tab), so the click is caught before it and handled here.
CITE_JS = """
() => {
  if (window.__rqaCites) { return; }
  window.__rqaCites = true;
  document.addEventListener('click', (event) => {
    const link = event.target.closest ? event.target.closest('a.rqa-cite') : null;
    if (!link) { return; }
    event.preventDefault();
    event.stopPropagation();
    const id = (link.getAttribute('href') || '').replace(/^#/, '');
    const target = document.getElementById(id);
    if (!target) { return; }
    for (let el = target; el; el = el.parentElement) {
      if (el.tagName === 'DETAILS') { el.open = true; }
    }
    target.scrollIntoView({behavior: 'smooth', block: 'center'});
    target.classList.remove('rqa-flash');
    void target.offsetWidth;
    target.classList.add('rqa-flash');
  }, true);
}
"""


@dataclass
class ChatState:
    """One browser session's conversation."""

    messages: list[dict[str, str]] = field(default_factory=list)
    turns: list[Turn] = field(default_factory=list)
    last_question: str | None = None  # the last question as understood, for follow-ups


def resolve_reports(engine: Engine, reports: Sequence[str] | None) -> list[str] | None:
    """Report ids from ids or titles; None (search every report) when none are chosen."""
    if not reports:
        return None
    by_title = {info.title: rid for rid, info in engine.reports.items()}
    return [by_title.get(r, r) for r in reports]


def default_examples(engine: Engine) -> list[str]:
    """The example questions whose report is in this index."""
    return [question for report, question in DEFAULT_EXAMPLES if report in engine.reports]


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


def build_app(
    engine: Engine,
    examples: Sequence[str] | None = None,
    warmup: Warmup | None = None,
    stream_delay_s: float = STREAM_DELAY_S,
) -> gr.Blocks:
    """The chat app for an engine whose index is already loaded.

    `examples` defaults to the seed questions whose report is indexed; pass a started `warmup` to
    serve before the engine's first answer has loaded everything.
    """
    sections = SectionIndex(engine.chunks, engine.texts)
    shown_examples = list(examples) if examples is not None else default_examples(engine)

    def ask(question: str, reports: Sequence[str] | None) -> Any:
        if warmup is not None:
            warmup.wait()
        return engine.ask(question, reports=resolve_reports(engine, reports))

    def respond(
        question: str, reports: list[str] | None, state: ChatState
    ) -> Iterator[tuple[list[dict[str, str]], str, ChatState, str]]:
        state = replace(state, messages=list(state.messages), turns=list(state.turns))
        question = question if isinstance(question, str) else ""
        user = {"role": "user", "content": question_html(question)}
        panel = sources_html(state.turns, sections)
        try:
            check_question(question)
        except InputError as exc:
            state.messages += [user, {"role": "assistant", "content": notice_html(str(exc))}]
            yield state.messages, panel, state, ""
            return
        resolved = contextualize(question.strip(), state.last_question)
        rewritten = resolved if resolved != question.strip() else None
        pending = {"role": "assistant", "content": pending_html()}
        yield [*state.messages, user, pending], panel, state, ""
        try:
            answer = ask(resolved, reports)
        except ReportQAError as exc:
            state.messages += [user, {"role": "assistant", "content": notice_html(str(exc))}]
            yield state.messages, panel, state, ""
            return
        except Exception:  # the page must get a message, never a traceback
            log.exception("answering %r failed", resolved)
            note = notice_html("出现内部错误，未能回答这个问题。请换个问法或稍后再试。")
            state.messages += [user, {"role": "assistant", "content": note}]
            yield state.messages, panel, state, ""
            return

        state.last_question = resolved
        number = (state.turns[-1].number + 1) if state.turns else 1
        turn = Turn(number, resolved, answer.refused, tuple(c.to_dict() for c in answer.citations))
        state.turns = [*state.turns, turn][-MAX_TURNS_SHOWN:]
        if answer.refused:
            final = refusal_html(answer.answer, rewritten)
        else:
            # Stream clause by clause; the sources are in place before the markers that link there.
            panel = sources_html(state.turns, sections)
            shown = ""
            for piece in clauses(answer.answer)[:-1]:
                shown += piece
                partial = {"role": "assistant", "content": answer_html(shown, number, rewritten)}
                yield [*state.messages, user, partial], panel, state, ""
                time.sleep(stream_delay_s)
            final = answer_html(answer.answer, number, rewritten)
        state.messages += [user, {"role": "assistant", "content": final}]
        yield state.messages, sources_html(state.turns, sections), state, ""

    def clear() -> tuple[list[dict[str, str]], str, ChatState, str]:
        return [], sources_html([], sections), ChatState(), ""

    def api_ask(question: str, reports: list[str] | None = None) -> dict[str, Any]:
        """Answer one question; the same object as `reportqa ask --json`."""
        try:
            return cast(dict[str, Any], ask(question, reports).to_dict())
        except ReportQAError as exc:
            raise gr.Error(str(exc)) from exc

    with gr.Blocks(title="reportqa 报告问答", analytics_enabled=False) as demo:
        gr.Markdown(
            "## 政府报告问答\n"
            "答案只摘自已收录的报告原文，每句后的 [n] 指向出处；点击 [n] 查看高亮的原文段落。"
            "报告中没有的内容会如实说明。"
        )
        state = gr.State(ChatState())
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="对话",
                    height=460,
                    elem_id="rqa-chat",
                    feedback_options=None,
                    placeholder="请输入关于报告的问题，例如某年的统计数字、某项工作的做法。",
                )
                with gr.Row():
                    box = gr.Textbox(
                        label="问题",
                        placeholder="输入问题后按回车，例如：2024年全区新收行政复议案件多少件？",
                        scale=5,
                        max_lines=4,
                        elem_id="rqa-question",
                    )
                    ask_button = gr.Button("提问", variant="primary", scale=1, elem_id="rqa-ask")
                report_choices = [(info.title, rid) for rid, info in engine.reports.items()]
                selector = gr.Dropdown(
                    choices=report_choices,
                    value=[],
                    multiselect=True,
                    label="限定报告（可多选；不选则检索全部报告）",
                    visible=len(report_choices) > 1,
                    elem_id="rqa-reports",
                )
                example_buttons = []
                if shown_examples:
                    gr.Markdown("**示例问题**（点击即问）：")
                    with gr.Row():
                        example_buttons = [
                            gr.Button(q, size="sm", elem_classes=["rqa-example"])
                            for q in shown_examples
                        ]
                clear_button = gr.Button("清空对话", size="sm")
            with gr.Column(scale=2):
                gr.Markdown("### 来源")
                sources = gr.HTML(sources_html([], sections), elem_id="rqa-sources")

        outputs = [chatbot, sources, state, box]
        for trigger in (box.submit, ask_button.click):
            trigger(respond, [box, selector, state], outputs, api_visibility="private")
        for button in example_buttons:
            button.click(respond, [button, selector, state], outputs, api_visibility="private")
        clear_button.click(clear, None, outputs, api_visibility="private")
        demo.load(None, js=CITE_JS)
        gr.api(api_ask, api_name="ask")
    return demo


def launch(demo: gr.Blocks, host: str = "127.0.0.1", port: int = 7860, block: bool = True) -> str:
    """Serve the app locally and return its URL; blocks until stopped when `block` is true."""
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=512)
    # System fonts only: the default theme would fetch web fonts, which offline machines lack.
    theme = gr.themes.Soft(
        font=["PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "sans-serif"],
        font_mono=["ui-monospace", "monospace"],
    )
    _, url, _ = demo.launch(
        server_name=host,
        server_port=port,
        share=False,
        ssr_mode=False,
        quiet=True,
        show_error=False,
        prevent_thread_lock=True,
        max_threads=max(40, CONCURRENCY + 8),
        mcp_server=False,
        pwa=False,
        css=CSS,
        theme=theme,
    )
    if block:
        demo.block_thread()
    return url
