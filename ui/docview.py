"""The original report as a page: numbered paragraphs, the cited passage highlighted and scrolled to.

A citation shows readers 第N段 (and 第N页 for a PDF) instead of character offsets; the link beside
it opens this page at the passage. Paragraphs are the report's non-blank lines, numbered as they are
shown here, so “第12段” is the paragraph marked 12 on this page. Offsets stay in the API.
"""

from __future__ import annotations

import html
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from urllib.parse import quote, urlencode

from reportqa.records import Chunk

DOC_ROUTE = "/rqa/doc"


def paragraph_starts(text: str) -> list[int]:
    """Offsets where each non-blank line of the text begins."""
    starts: list[int] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        if line.strip():
            starts.append(pos)
        pos += len(line)
    return starts


def paragraph_number(starts: Sequence[int], offset: int) -> int:
    """The 1-based number of the paragraph holding `offset` (1 before the first paragraph)."""
    return max(bisect_right(starts, offset), 1)


def page_starts(chunks: Sequence[Chunk], report: str) -> list[tuple[int, int]]:
    """(offset, page) where each page of a PDF report begins, from its chunks' pages."""
    seen: dict[int, int] = {}
    for chunk in chunks:
        if chunk.report == report and chunk.page is not None:
            seen[chunk.page] = min(seen.get(chunk.page, chunk.start), chunk.start)
    return sorted((start, page) for page, start in seen.items())


def doc_url(report: str, start: int, end: int, highlights: Sequence[Sequence[int]] = ()) -> str:
    query = {"start": start, "end": end}
    if highlights:
        query["hl"] = ",".join(f"{int(s)}-{int(e)}" for s, e in highlights)  # type: ignore[assignment]
    return f"{DOC_ROUTE}/{quote(report, safe='')}?{urlencode(query)}#rqa-here"


def parse_highlights(value: str | None) -> list[tuple[int, int]]:
    """ "10-20,30-40" -> [(10, 20), (30, 40)]; anything malformed is dropped."""
    spans = []
    for part in (value or "").split(",")[:50]:
        s, _, e = part.partition("-")
        if s.isdigit() and e.isdigit() and int(s) < int(e):
            spans.append((int(s), int(e)))
    return spans


def _segments(
    line: str, base: int, passage: tuple[int, int], quotes: Sequence[tuple[int, int]]
) -> str:
    """A line's escaped text, with the passage and the quoted sentences marked."""
    end_of_line = base + len(line)
    cuts = {base, end_of_line}
    for s, e in [passage, *quotes]:
        cuts.update(x for x in (s, e) if base < x < end_of_line)
    points = sorted(cuts)
    out = []
    for a, b in zip(points, points[1:], strict=False):
        piece = html.escape(line[a - base : b - base])
        if any(s <= a and b <= e for s, e in quotes):
            out.append(f'<mark class="rqa-doc-quote">{piece}</mark>')
        elif passage[0] <= a and b <= passage[1]:
            out.append(f'<mark class="rqa-doc-passage">{piece}</mark>')
        else:
            out.append(piece)
    return "".join(out)


DOC_CSS = """
:root { color-scheme: light dark; --fg: #111827; --bg: #ffffff; --muted: #4b5563;
  --passage: #dbeafe; --quote: #fde68a; --link: #1d4ed8; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e5e7eb; --bg: #111827; --muted: #9ca3af; --passage: #1e3a5f; --quote: #854d0e;
    --link: #93c5fd; }
}
body { font-family: "PingFang SC", "Microsoft YaHei", "Noto Sans CJK SC", "WenQuanYi Micro Hei",
  sans-serif; color: var(--fg); background: var(--bg); max-width: 46em; margin: 0 auto;
  padding: 1em; line-height: 1.8; }
h1 { font-size: 1.3em; line-height: 1.4; }
a { color: var(--link); }
.rqa-doc-meta { color: var(--muted); font-size: 0.9em; }
.rqa-doc p { margin: 0.3em 0; display: flex; gap: 0.8em; }
.rqa-doc .pn { color: var(--muted); min-width: 2.5em; text-align: right; user-select: none;
  font-size: 0.85em; padding-top: 0.15em; }
.rqa-doc .pg { color: var(--muted); border-top: 1px dashed var(--muted); margin: 0.8em 0 0.3em;
  font-size: 0.85em; }
mark { color: inherit; }
mark.rqa-doc-passage { background: var(--passage); }
mark.rqa-doc-quote { background: var(--quote); }
#rqa-here { scroll-margin-top: 30vh; }
"""


def document_html(
    report: str,
    title: str,
    text: str,
    start: int,
    end: int,
    highlights: Sequence[tuple[int, int]] = (),
    pages: Sequence[tuple[int, int]] = (),
) -> str:
    """The whole report as a standalone page, the passage [start, end) marked and anchored."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    starts = paragraph_starts(text)
    cited = paragraph_number(starts, start)
    page_at = dict(pages)
    page_offsets = sorted(page_at)
    rows: list[str] = []
    next_page = 0
    for number, line_start in enumerate(starts, 1):
        line_end = text.find("\n", line_start)
        line = text[line_start : len(text) if line_end < 0 else line_end].rstrip("\r")
        while next_page < len(page_offsets) and page_offsets[next_page] <= line_start + len(line):
            page = page_at[page_offsets[next_page]]
            rows.append(f'<div class="pg" id="page-{page}">第 {page} 页</div>')
            next_page += 1
        body = _segments(line, line_start, (start, end), highlights)
        # The cited paragraph is the page's anchor (the link ends in #rqa-here).
        anchor = "rqa-here" if number == cited else f"p-{number}"
        rows.append(f'<p id="{anchor}"><span class="pn">{number}</span><span>{body}</span></p>')
    page_note = ""
    cited_pages = [p for offset, p in pages if offset <= start]
    if cited_pages:
        page_note = f"第 {cited_pages[-1]} 页，"
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)} · 原文</title><style>{DOC_CSS}</style></head><body>"
        f"<h1>{html.escape(title)}</h1>"
        f'<p class="rqa-doc-meta">引用的段落在{page_note}第 {cited} 段，以底色标出，引用的句子以黄色标出。'
        f"（报告编号 {html.escape(report)}）</p>"
        f'<main class="rqa-doc">{"".join(rows)}</main></body></html>'
    )


def not_found_html(report: str) -> str:
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>未找到报告</title>'
        f"<style>{DOC_CSS}</style></head><body><h1>未找到报告</h1>"
        f"<p>索引中没有编号为 {html.escape(report)} 的报告，它可能已被移除。</p></body></html>"
    )


def report_titles(reports: Mapping[str, object]) -> dict[str, str]:
    return {rid: str(getattr(info, "title", rid)) for rid, info in reports.items()}
