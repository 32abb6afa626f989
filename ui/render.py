"""HTML for the web chat: answers with linked [n] markers and the sources panel.

Every piece of question or report text goes through html.escape: report files and questions are
untrusted input, and a question holding <script> must show as text. Chat messages are wrapped in a
single-line <div> so that the chat's Markdown renderer treats them as HTML and leaves the
(already escaped) text alone.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from reportqa.records import CITATION_MARKER, Chunk, Citation
from reportqa.search.retrieve import report_rows

from .docview import doc_url, paragraph_number, paragraph_starts

# Clause ends: the answer streams one clause at a time.
_CLAUSE = re.compile(r"[^，,；;。：:！!？?]+[，,；;。：:！!？?]*|[，,；;。：:！!？?]+")
# The expanded section is cut to a window this long around the cited passage.
MAX_SECTION_CHARS = 2400
# Reports whose section spans are kept once made.
KEPT_REPORT_SPANS = 64


def esc(text: str) -> str:
    """Escaped text for an HTML element's content; newlines become <br> so no blank line appears."""
    return html.escape(text).replace("\r\n", "\n").replace("\n", "<br>")


def source_id(turn: int, n: int) -> str:
    return f"rqa-src-{turn}-{n}"


def link_markers(escaped: str, turn: int) -> str:
    """Turn the [n] markers of escaped answer text into links to the source with that number."""

    def link(m: re.Match[str]) -> str:
        n = int(m.group(1))
        return f'<a class="rqa-cite" href="#{source_id(turn, n)}" title="查看来源 {n}">[{n}]</a>'

    return CITATION_MARKER.sub(link, escaped)


def clauses(text: str) -> list[str]:
    """The text cut after each clause mark; the pieces join back to the text."""
    pieces = _CLAUSE.findall(text)
    return pieces if "".join(pieces) == text else [text]


def question_html(question: str) -> str:
    return f'<div class="rqa-question">{esc(question)}</div>'


def rewrite_note(rewritten: str | None, ask_as_new: bool = False) -> str:
    """How a follow-up was understood, with a button to ask it again on its own."""
    if not rewritten:
        return ""
    button = (
        ' <button type="button" class="rqa-tool rqa-asnew">作为新问题提问</button>'
        if ask_as_new
        else ""
    )
    return f'<div class="rqa-rewrite">结合上文理解为：{esc(rewritten)}{button}</div>'


def tools_html(extra: str = "") -> str:
    """Buttons under a finished answer; the script finds what to copy in the message's data."""
    return (
        '<div class="rqa-tools"><button type="button" class="rqa-tool rqa-copy" '
        f'title="复制此回答及其来源（纯文本）">复制</button>{extra}</div>'
    )


def answer_html(
    answer_text: str, turn: int, rewritten: str | None = None, ask_as_new: bool = False
) -> str:
    note = rewrite_note(rewritten, ask_as_new)
    body = link_markers(esc(answer_text), turn)
    return f'<div class="rqa-answer">{note}{body}</div>'


def refusal_html(answer_text: str, rewritten: str | None = None, ask_as_new: bool = False) -> str:
    note = rewrite_note(rewritten, ask_as_new)
    return (
        f'<div class="rqa-refusal">{note}<div class="rqa-refusal-title">报告中没有答案</div>'
        f"{esc(answer_text)}</div>"
    )


def notice_html(message: str) -> str:
    """A problem with the request (empty question, unusable index): a message, not an answer."""
    return f'<div class="rqa-error"><strong>提示：</strong>{esc(message)}</div>'


def pending_html() -> str:
    return '<div class="rqa-pending">正在检索报告…</div>'


def mark_spans(text: str, base: int, spans: Iterable[Sequence[int]], cls: str = "") -> str:
    """Escaped `text` (which starts at offset `base` of its report) with `spans` in <mark>.

    Spans are absolute report offsets; parts outside the text are ignored and overlaps merged.
    """
    end_of_text = base + len(text)
    clipped = sorted(
        (max(int(s), base), min(int(e), end_of_text))
        for s, e in spans
        if int(e) > base and int(s) < end_of_text and int(e) > int(s)
    )
    merged: list[list[int]] = []
    for s, e in clipped:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    attr = f' class="{cls}"' if cls else ""
    out: list[str] = []
    pos = base
    for s, e in merged:
        out.append(esc(text[pos - base : s - base]))
        out.append(f"<mark{attr}>{esc(text[s - base : e - base])}</mark>")
        pos = e
    out.append(esc(text[pos - base :]))
    return "".join(out)


@dataclass(frozen=True)
class SectionSpan:
    start: int
    end: int
    path: str
    clipped: bool


class SectionIndex:
    """Where each section of each report begins and ends, to show a passage in its section."""

    def __init__(self, chunks: Sequence[Chunk], texts: Mapping[str, str]) -> None:
        self._texts = texts
        self._chunks = chunks
        self._rows: dict[str, range] | None = None
        self._paragraphs: dict[str, list[int]] = {}
        # Each report's section spans, made when a passage of it is first shown (the most recent
        # reports kept): reading every chunk at start is slow and large at a million chunks.
        self._spans: dict[str, dict[str, list[int]]] = {}

    def _spans_of(self, report: str) -> dict[str, list[int]]:
        found = self._spans.pop(report, None)
        if found is None:
            if self._rows is None:
                self._rows = report_rows(self._chunks)
            by_path: dict[str, list[tuple[int, int]]] = defaultdict(list)
            for row in self._rows.get(report, range(0)):
                chunk = self._chunks[row]
                parts = chunk.section.split(" > ") if chunk.section else []
                # A chunk belongs to its own section and to every enclosing one.
                for depth in range(len(parts) + 1):
                    by_path[" > ".join(parts[:depth])].append((chunk.start, chunk.end))
            found = {
                path: [min(s for s, _ in spans), max(e for _, e in spans)]
                for path, spans in by_path.items()
            }
            if len(self._spans) >= KEPT_REPORT_SPANS:
                self._spans.pop(next(iter(self._spans)))
        self._spans[report] = found  # last used last
        return found

    def around(self, report: str, section: str, start: int, end: int) -> SectionSpan | None:
        """The innermost section holding more than the passage [start, end), or None.

        The lowest heading level is often a paragraph's lead phrase, whose section is the cited
        passage itself; then the enclosing section is the useful context.
        """
        parts = section.split(" > ") if section else []
        spans = self._spans_of(report)
        for depth in range(len(parts), -1, -1):
            path = " > ".join(parts[:depth])
            span = spans.get(path)
            if span is None or (span[0] >= start and span[1] <= end):
                continue
            s, e = span
            clipped = e - s > MAX_SECTION_CHARS
            if clipped:
                # Keep a window centred on the passage.
                room = max(MAX_SECTION_CHARS - (end - start), 0)
                s = max(s, start - room // 2)
                e = min(e, max(end, s + MAX_SECTION_CHARS))
            return SectionSpan(s, e, path, clipped)
        return None

    def text(self, report: str) -> str:
        return self._texts[report]

    def paragraph(self, report: str, offset: int) -> int | None:
        """The 1-based paragraph (non-blank line) of the report holding `offset`."""
        if report not in self._texts:
            return None
        if report not in self._paragraphs:
            self._paragraphs[report] = paragraph_starts(self._texts[report])
        return paragraph_number(self._paragraphs[report], offset)


def where_text(citation: Citation, sections: SectionIndex) -> str:
    """Where a passage is, in words a reader can follow: 第3页 第12段."""
    parts = []
    if citation.page:
        parts.append(f"第 {citation.page} 页")
    paragraph = sections.paragraph(citation.report, citation.start)
    if paragraph is not None:
        parts.append(f"第 {paragraph} 段")
    return " ".join(parts)


def citation_html(citation: Citation, turn: int, sections: SectionIndex) -> str:
    n = citation.n
    start, end = citation.start, citation.end
    highlights = citation.highlights
    page = f'<span class="rqa-page">第 {citation.page} 页</span>' if citation.page else ""
    section = citation.section or "（正文）"
    passage = mark_spans(citation.text, start, highlights)
    context = ""
    span = sections.around(citation.report, citation.section, start, end)
    if span is not None:
        full = sections.text(citation.report)[span.start : span.end]
        shown = _nest_highlights(full, span.start, start, end, highlights)
        where = esc(span.path) if span.path else "全文"
        more = "（节选）" if span.clipped else ""
        context = (
            f'<details class="rqa-context"><summary>展开所在章节全文{more}：{where}</summary>'
            f'<div class="rqa-section-text">{shown}</div></details>'
        )
    paragraph = sections.paragraph(citation.report, start)
    where = f"第 {paragraph} 段" if paragraph is not None else ""
    url = html.escape(doc_url(citation.report, start, end, highlights))
    # Offsets stay available to programs (data-start/data-end, and the API); readers get 第N段.
    return (
        f'<div class="rqa-src" id="{source_id(turn, n)}" tabindex="-1" role="region" '
        f'aria-label="来源 {n}" data-report="{esc(citation.report)}" '
        f'data-start="{start}" data-end="{end}">'
        f'<div class="rqa-src-head"><span class="rqa-n">[{n}]</span> '
        f"《{esc(citation.title)}》{page}</div>"
        f'<div class="rqa-src-section">{esc(section)}</div>'
        f'<blockquote class="rqa-passage">{passage}</blockquote>'
        f'<div class="rqa-where">{where}'
        f'{" · " if where else ""}<a href="{url}" target="_blank" rel="noopener">'
        f"查看原文（新窗口）</a></div>"
        f'{context}<button type="button" class="rqa-tool rqa-back">返回答案</button></div>'
    )


def _nest_highlights(
    text: str, base: int, start: int, end: int, highlights: Sequence[Sequence[int]]
) -> str:
    """Section text with the cited chunk underlined and its highlighted sentences marked."""
    before = esc(text[: max(start - base, 0)])
    chunk_text = text[max(start - base, 0) : min(end - base, len(text))]
    after = esc(text[min(end - base, len(text)) :])
    inner = mark_spans(chunk_text, max(start, base), highlights)
    return f'{before}<span class="rqa-chunk">{inner}</span>{after}'


@dataclass(frozen=True)
class Turn:
    """One question of the conversation and what its answer cited."""

    number: int
    question: str
    refused: bool
    citations: tuple[Citation, ...]
    answer: str = ""
    asked: str = ""  # as typed, when `question` is a follow-up rewritten to stand alone
    id: str = ""  # names the answer in feedback


def turn_html(turn: Turn, sections: SectionIndex) -> str:
    head = f'<div class="rqa-turn-q">第 {turn.number} 问：{esc(turn.question)}</div>'
    if turn.refused or not turn.citations:
        body = '<div class="rqa-none">此问未找到可引用的依据。</div>'
    else:
        body = "".join(citation_html(c, turn.number, sections) for c in turn.citations)
    return f'<div class="rqa-turn" id="rqa-turn-{turn.number}">{head}{body}</div>'


def sources_html(turns: Sequence[Turn], sections: SectionIndex) -> str:
    """The sources panel: the latest question's sources, earlier ones folded below."""
    if not turns:
        return (
            '<div class="rqa-sources"><div class="rqa-empty">'
            "提问后，答案中每个 [n] 对应的原文段落会显示在这里，引用的句子以高亮标出。"
            "</div></div>"
        )
    latest, *older = list(reversed(turns))
    parts = [turn_html(latest, sections)]
    if older:
        folded = "".join(turn_html(t, sections) for t in older)
        parts.append(
            f'<details class="rqa-older"><summary>之前问题的来源（{len(older)}）</summary>'
            f"{folded}</details>"
        )
    return f'<div class="rqa-sources">{"".join(parts)}</div>'
