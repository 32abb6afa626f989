"""The reportqa web chat: ask, read a streamed answer, check each [n] against its highlighted source.

`build_app(engine)` makes the Gradio app; `launch(app, host, port)` serves it locally (127.0.0.1,
no share link, no analytics, no server-side rendering).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

# Gradio reads this when it is imported; usage reports would leave the machine.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import gradio as gr  # noqa: E402

from reportqa.engine import Engine  # noqa: E402
from reportqa.errors import ReportQAError  # noqa: E402
from reportqa.live import LiveIndex  # noqa: E402

from .admin import AdminSettings, add_admin_panel  # noqa: E402
from .api import add_api  # noqa: E402
from .chat import STREAM_DELAY_S, Chat, ChatState, Warmup  # noqa: E402
from .live_chat import LiveChat, add_index_status  # noqa: E402

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


def default_examples(engine: Engine) -> list[str]:
    """The example questions whose report is in this index."""
    return [question for report, question in DEFAULT_EXAMPLES if report in engine.reports]


def build_app(
    engine: Engine,
    examples: Sequence[str] | None = None,
    warmup: Warmup | None = None,
    stream_delay_s: float = STREAM_DELAY_S,
    live: LiveIndex | None = None,
    admin: AdminSettings | None = None,
) -> gr.Blocks:
    """The chat app for an engine whose index is already loaded.

    `examples` defaults to the seed questions whose report is indexed; pass a started `warmup` to
    serve before the engine's first answer has loaded everything. With `live`, every turn uses
    the index generation in use when it starts, and the page says which reports are loaded;
    `admin` adds the 报告管理 page.
    """
    chat = LiveChat(live, warmup, stream_delay_s) if live else Chat(engine, warmup, stream_delay_s)
    shown_examples = list(examples) if examples is not None else default_examples(engine)

    def api_ask(question: str, reports: list[str] | None = None) -> dict[str, Any]:
        """Answer one question; the same object as `reportqa ask --json`."""
        try:
            return chat.answer_dict(question, reports)
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
                    buttons=["copy", "copy_all"],  # no share button: answers stay on this machine
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
                clear_button = gr.Button("清空对话", size="sm")
            with gr.Column(scale=2):
                gr.Markdown("### 来源")
                sources = gr.HTML(chat.empty_panel(), elem_id="rqa-sources")

        outputs = [chatbot, sources, state, box]
        for trigger in (box.submit, ask_button.click):
            trigger(chat.respond, [box, selector, state], outputs, api_visibility="private")
        for button in example_buttons:
            button.click(chat.respond, [button, selector, state], outputs, api_visibility="private")
        clear_button.click(chat.clear, None, outputs, api_visibility="private")
        # The chat's own delete button must forget the conversation too, not only hide it.
        chatbot.clear(chat.clear, None, outputs, api_visibility="private")
        demo.load(None, js=CITE_JS)
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
    live: LiveIndex | None = None,
) -> str:
    """Serve the app locally and return its URL; blocks until stopped when `block` is true.

    With `live`, the REST API (/api/...) is served beside the chat on the same server.
    """
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
