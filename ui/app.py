"""The reportqa web chat: ask, read a streamed answer, check each [n] against its highlighted source.

`build_app(engine)` makes the Gradio app; `launch(app, host, port)` serves it locally (127.0.0.1,
no share link, no analytics, no server-side rendering).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# Gradio reads this when it is imported; usage reports would leave the machine.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import gradio as gr  # noqa: E402

from reportqa.engine import Engine  # noqa: E402
from reportqa.errors import ReportQAError  # noqa: E402
from reportqa.evaluation.feedback import FeedbackStore  # noqa: E402
from reportqa.indexing.live import LiveIndex  # noqa: E402

from .admin import AdminSettings, add_admin_panel  # noqa: E402
from .api import add_api  # noqa: E402
from .chat import STREAM_DELAY_S, Chat, ChatState, Warmup  # noqa: E402
from .live_chat import LiveChat, add_index_status  # noqa: E402
from .routes import page_routes  # noqa: E402
from .session import STORAGE_KEY, STORAGE_SECRET, WebSession, state_to_json, status_html  # noqa: E402
from .style import CSS, HEAD, page_js  # noqa: E402

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
QUEUE_POLL_S = 0.01  # how often Gradio's queue looks for new events (its default: 0.001 s)


def default_examples(engine: Engine) -> list[str]:
    """The example questions whose report is in this index."""
    return [question for report, question in DEFAULT_EXAMPLES if report in engine.reports]


def build_app(
    engine: Engine,
    examples: Sequence[str] | None = None,
    warmup: Warmup | None = None,
    stream_delay_s: float = STREAM_DELAY_S,
    feedback_path: Path | None = None,
    live: LiveIndex | None = None,
    admin: AdminSettings | None = None,
) -> gr.Blocks:
    """The chat app for an engine whose index is already loaded.

    `examples` defaults to the seed questions whose report is indexed; pass a started `warmup` to
    serve before the engine's first answer has loaded everything. Votes on answers are appended to
    `feedback_path` (JSONL); without it the vote buttons are not shown. With `live`, every turn uses
    the index generation in use when it starts, and the page says which reports are loaded;
    `admin` adds the 报告管理 page.
    """
    chat = LiveChat(live, warmup, stream_delay_s) if live else Chat(engine, warmup, stream_delay_s)
    session = WebSession(chat, FeedbackStore(feedback_path) if feedback_path else None)
    shown_examples = list(examples) if examples is not None else default_examples(engine)

    def api_ask(question: str, reports: list[str] | None = None) -> dict[str, Any]:
        """Answer one question; the same object as `reportqa ask --json`."""
        try:
            return chat.answer_dict(question, reports)
        except ReportQAError as exc:
            raise gr.Error(str(exc)) from exc

    with gr.Blocks(title="政府报告问答 · reportqa", analytics_enabled=False) as demo:
        gr.HTML(
            '<h1 class="rqa-title">政府报告问答</h1>'
            "<p>答案只摘自已收录的报告原文，每句后的 [n] 指向出处；点击 [n] 查看高亮的原文段落。"
            "报告中没有的内容会如实说明。</p>"
            '<div id="rqa-live" class="rqa-hidden-control" aria-live="polite"></div>'
        )
        state = gr.BrowserState(
            state_to_json(ChatState()), storage_key=STORAGE_KEY, secret=STORAGE_SECRET
        )
        with gr.Row(equal_height=False):
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="对话",
                    height=460,
                    elem_id="rqa-chat",
                    # 👍/👎 when votes are kept. Gradio's own copy buttons would copy the HTML
                    # of a message; each answer has its own plain-text copy button instead.
                    feedback_options=("Like", "Dislike") if session.feedback else None,
                    buttons=[],  # no share button: answers stay on this machine
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
                status = gr.HTML(status_html(""), elem_id="rqa-status")
                with gr.Row(visible=False, elem_id="rqa-feedback") as comment_row:
                    comment_box = gr.Textbox(
                        label="补充说明（可选）",
                        placeholder="例如：答案的数字不对，报告里写的是……",
                        scale=5,
                        max_lines=3,
                        elem_id="rqa-comment",
                    )
                    comment_button = gr.Button("提交说明", scale=1, elem_id="rqa-comment-send")
                feedback_note = gr.HTML("", elem_id="rqa-feedback-note", visible=False)
                voted = gr.State(None)
                # "作为新问题提问" puts the question here and presses the hidden button.
                with gr.Row(elem_classes=["rqa-fresh-controls"]):
                    fresh_box = gr.Textbox(label="单独提问", elem_id="rqa-fresh")
                    fresh_button = gr.Button("单独提问", elem_id="rqa-fresh-go")
                report_choices = [(info.title, rid) for rid, info in engine.reports.items()]
                selector = gr.Dropdown(
                    choices=report_choices,
                    value=[],
                    multiselect=True,
                    label="限定报告（可多选；不选则检索全部报告）",
                    visible=len(report_choices) > 1,
                    elem_id="rqa-reports",
                )
                if live is not None:
                    add_index_status(live, selector)
                example_buttons = []
                if shown_examples:
                    gr.Markdown("**示例问题**（点击即问）：")
                    with gr.Row():
                        example_buttons = [
                            gr.Button(q, size="sm", elem_classes=["rqa-example"])
                            for q in shown_examples
                        ]
                with gr.Row():
                    gr.Button("复制全部对话", size="sm", elem_id="rqa-copy-all")
                    gr.Button("导出为 Markdown", size="sm", elem_id="rqa-export")
                    clear_button = gr.Button("清空对话", size="sm", elem_id="rqa-clear")
            with gr.Column(scale=2):
                gr.Markdown("### 来源")
                sources = gr.HTML(chat.empty_panel(), elem_id="rqa-sources")

        outputs = [chatbot, sources, state, box, status, ask_button]
        # Only the chat shows that an answer is coming; the status line and sources stay readable.
        private: dict[str, Any] = {
            "api_visibility": "private",
            "trigger_mode": "once",
            "show_progress_on": [chatbot],
        }
        gr.on(
            [box.submit, ask_button.click],
            session.submit,
            [box, selector, state],
            outputs,
            **private,
        )
        for button in example_buttons:
            button.click(session.submit_example, [button, selector, state], outputs, **private)
        fresh_button.click(session.submit_fresh, [fresh_box, selector, state], outputs, **private)
        clear_button.click(session.clear, None, outputs, api_visibility="private")
        # The chat's own delete button must forget the conversation too, not only hide it.
        chatbot.clear(session.clear, None, outputs, api_visibility="private")
        chatbot.like(
            session.vote, [state], [comment_row, voted, feedback_note], api_visibility="private"
        )
        comment_button.click(
            session.comment,
            [comment_box, voted],
            [comment_row, comment_box, feedback_note],
            api_visibility="private",
        )
        demo.load(session.restore, [state], [chatbot, sources], api_visibility="private")
        demo.load(None, js=page_js())
        gr.api(api_ask, api_name="ask")
    if live is not None and admin is not None:
        if demo.pages and demo.pages[0][0] == "":
            demo.pages[0] = ("", "问答", True)  # the nav bar would call the chat "Home"
        with demo.route("报告管理", "/admin"):
            add_admin_panel(live, admin)
    return demo


def launch(
    demo: gr.Blocks,
    host: str = "127.0.0.1",
    port: int = 7860,
    block: bool = True,
    engine: Engine | None = None,
    live: LiveIndex | None = None,
) -> str:
    """Serve the app locally and return its URL; blocks until stopped when `block` is true.

    The page's own routes (the original document view) read the live index's current engine, or
    `engine`; with `live`, the REST API (/api/...) is served beside the chat on the same server.
    """
    current: Callable[[], Engine] | None = live.require if live is not None else None
    if current is None and engine is not None:
        current = lambda: engine  # noqa: E731
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=512)
    # System fonts only: the default theme would fetch web fonts, which offline machines lack.
    theme = gr.themes.Soft(
        font=["PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "sans-serif"],
        font_mono=["ui-monospace", "monospace"],
    ).set(
        # The Soft theme's light-mode button and labels fall short of 4.5:1 contrast (WCAG AA).
        button_primary_background_fill="*primary_700",
        button_primary_background_fill_hover="*primary_800",
        block_label_text_color="*primary_800",
        block_title_text_color="*primary_800",
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
        head=HEAD,
        theme=theme,
        app_kwargs={"routes": page_routes(current)} if current is not None else None,
    )
    # Gradio's queue looks for new events every millisecond while it is idle (and while every
    # worker is busy): about 5 % of a core doing nothing, taken from the answers. A few
    # milliseconds more before an event starts cost nothing next to streaming an answer.
    queue = getattr(demo, "_queue", None)
    if queue is not None and getattr(queue, "sleep_when_free", 0) < QUEUE_POLL_S:
        queue.sleep_when_free = QUEUE_POLL_S
    if live is not None:
        add_api(demo.app, live)
    if block:
        demo.block_thread()
    return url
