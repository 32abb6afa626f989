"""The chat over an index that can be rebuilt while it is served.

Each turn takes the engine of the generation in use when the turn starts; a swap changes what
the next turn sees, never a running one. The page shows which reports are loaded, and the report
selector follows the index.
"""

from __future__ import annotations

import html
from typing import Any

import gradio as gr

from reportqa.engine import Engine
from reportqa.indexing.live import LiveIndex

from .chat import Chat
from .render import SectionIndex


class LiveChat(Chat):
    """A `Chat` whose engine (and section index) is the live index's current one."""

    def __init__(self, live: LiveIndex, *args: Any, **kwargs: Any) -> None:
        self.live = live
        self._sections: tuple[Engine, SectionIndex] | None = None
        super().__init__(live.require(), *args, **kwargs)

    @property
    def engine(self) -> Engine:
        return self.live.require()

    @engine.setter
    def engine(self, _engine: Engine) -> None:
        pass  # the live index decides; Chat.__init__ assigns its first engine

    @property
    def sections(self) -> SectionIndex:
        engine = self.engine
        cached = self._sections
        if cached is None or cached[0] is not engine:
            cached = (engine, SectionIndex(engine.chunks, engine.texts))
            self._sections = cached
        return cached[1]

    @sections.setter
    def sections(self, _sections: SectionIndex) -> None:
        pass


def loaded_reports_html(live: LiveIndex) -> str:
    """One line naming the loaded reports (their titles in a hover list) and the generation."""
    engine = live.engine
    if engine is None:
        return '<div class="rqa-loaded">尚未加载索引。</div>'
    titles = [info.title for info in engine.reports.values()]
    shown = "、".join(f"《{html.escape(t)}》" for t in titles[:3])
    more = f" 等 {len(titles)} 份报告" if len(titles) > 3 else ""
    generation = html.escape(live.generation or "?")
    return (
        f'<div class="rqa-loaded" data-generation="{generation}" '
        f'title="{html.escape(chr(10).join(titles))}">'
        f"已加载 {len(titles)} 份报告：{shown}{more}"
        f'<span class="rqa-generation">（索引版本 {generation}）</span></div>'
    )


def add_index_status(live: LiveIndex, selector: gr.Dropdown) -> gr.HTML:
    """The loaded-reports line, refreshed while the page is open; keeps the selector in step."""
    status = gr.HTML(loaded_reports_html(live), elem_id="rqa-loaded")
    shown = gr.State(live.generation)  # the generation this page last showed
    # The page script clicks this when the served generation changes (see ui/style.py).
    refresh_button = gr.Button(
        "刷新报告列表", elem_id="rqa-index-refresh", elem_classes=["rqa-hidden-control"]
    )

    def refresh(chosen: list[str] | None, seen: str | None) -> tuple[Any, Any, str | None]:
        engine = live.engine
        if engine is None or live.generation == seen:
            # Unchanged: touch nothing, so a choice being made in the selector is never reset.
            return gr.update(), gr.update(), seen
        choices = [(info.title, rid) for rid, info in engine.reports.items()]
        kept = [c for c in (chosen or []) if c in engine.reports]
        selector_update = gr.update(choices=choices, value=kept, visible=len(choices) > 1)
        return loaded_reports_html(live), selector_update, live.generation

    refresh_button.click(
        refresh,
        [selector, shown],
        [status, selector, shown],
        api_visibility="private",
        show_progress="hidden",
        queue=False,
    )
    return status
