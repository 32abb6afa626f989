"""Turn Word and PDF files into plain report text that the parser reads like a .txt report.

Both readers emit one paragraph (or table row) per line, because the parser finds headings and
paragraph leads line by line. The PDF reader also records where each page starts in the text, so a
chunk knows its page. Cleaning and joining are pure functions over the extracted lines; only the
`read_*` functions touch files.
"""

from __future__ import annotations

import logging
import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportqa.errors import InputError
from reportqa.ingest.parse import SENTENCE_ENDS, TABLE_ROW, heading_kind

# ---------------------------------------------------------------------------------------------
# PDF


@dataclass(frozen=True)
class PagedText:
    text: str
    # Offset in `text` at which each page starts (one entry per page, ascending).
    page_starts: list[int]


# "3", "- 3 -", "— 3 —", "第3页", "第 3 页 共 12 页", "3/12", "Page 3 of 12"
_PAGE_NUMBER = re.compile(
    r"^[-—–\s]*(?:"
    r"\d{1,4}"
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*of\s*\d{1,4})?"
    r")[-—–\s]*$",
    re.IGNORECASE,
)
# Running headers and footers sit at the edges of a page; look this many lines in from each edge.
_EDGE_LINES = 2
# A line counts as a running header/footer when it repeats at the edge of at least this share of
# pages: "most pages", while tolerating a title page or a last page without one.
_REPEAT_SHARE = 0.5
# A line at least this share of the usual full-line width was probably wrapped by the layout.
_FULL_LINE_SHARE = 0.85
_SENTENCE_END = tuple(SENTENCE_ENDS) + ("：", ":")


def display_width(line: str) -> int:
    """Width in half-width cells: CJK and full-width characters take two, others one."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def is_page_number(line: str) -> bool:
    return bool(_PAGE_NUMBER.match(line.strip()))


def _furniture_key(line: str) -> str:
    # Page numbers inside a running footer ("某某区报告 - 3 -") change from page to page.
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


def running_lines(pages: list[list[str]]) -> set[str]:
    """Keys of lines repeated at the top or bottom of most pages (running headers and footers)."""
    if len(pages) < 3:
        return set()
    seen: Counter[str] = Counter()
    for lines in pages:
        edges = lines[:_EDGE_LINES] + lines[-_EDGE_LINES:]
        seen.update({_furniture_key(line) for line in edges})
    # At least three pages: two pages that end alike may well share a line of real text.
    needed = max(3, math.ceil(_REPEAT_SHARE * len(pages)))
    return {key for key, count in seen.items() if count >= needed and key}


def strip_furniture(pages: list[list[str]]) -> list[list[str]]:
    """Drop page numbers and running headers/footers from the edges of each page."""
    repeated = running_lines(pages)
    cleaned: list[list[str]] = []
    for lines in pages:
        kept = list(lines)
        # Only the edges: a body line that happens to be a bare number is kept.
        while kept and (is_page_number(kept[0]) or _furniture_key(kept[0]) in repeated):
            kept.pop(0)
        while kept and (is_page_number(kept[-1]) or _furniture_key(kept[-1]) in repeated):
            kept.pop()
        cleaned.append(kept)
    return cleaned


def full_line_width(pages: list[list[str]]) -> int:
    """The width of a full line of body text: a high percentile, so short lines do not count."""
    widths = sorted(display_width(line.strip()) for lines in pages for line in lines)
    if not widths:
        return 0
    return widths[min(len(widths) - 1, int(0.9 * len(widths)))]


def is_indented(line: str) -> bool:
    return line[:1].isspace()


def uses_indentation(pages: list[list[str]]) -> bool:
    """Whether paragraphs open with an indent ("　　"), which then marks every paragraph start."""
    return sum(is_indented(line) for lines in pages for line in lines) >= 3


def continues(previous: str, following: str, full_width: int, indents: bool) -> bool:
    """Whether `following` carries on the paragraph that the layout wrapped at the end of
    `previous`: the previous line is full, and the next line opens no heading or paragraph."""
    if full_width <= 0 or TABLE_ROW.search(previous) or heading_kind(following.strip()) is not None:
        return False
    width = display_width(previous.strip())
    if indents:
        # An indent is the surest paragraph mark; without one, a full line wraps.
        return not is_indented(following) and width >= _FULL_LINE_SHARE * full_width
    if previous.endswith(_SENTENCE_END) or heading_kind(previous.strip()) is not None:
        # A sentence that ends exactly at the right margin is more often followed by the next
        # sentence of its paragraph than by a new paragraph (paragraphs hold several sentences),
        # but only a line filled to the margin says so. Headings end without punctuation and
        # are often nearly a full line long: they too wrap only when they reach the margin.
        return width >= full_width - 1
    return width >= _FULL_LINE_SHARE * full_width


def _joiner(previous: str, following: str) -> str:
    # Chinese has no spaces between words, and a number wrapped mid-way ("202" / "4年") is one
    # number; only two Latin words wrapped apart need their space back.
    last, first = previous[-1:], following[:1]
    if last.isascii() and last.isalpha() and first.isascii() and first.isalpha():
        return " "
    return ""


def join_pages(pages: list[list[str]]) -> PagedText:
    """One text from cleaned page lines: wrapped lines re-joined, paragraphs one per line.

    Lines keep their leading whitespace until here, as it tells where paragraphs start.
    """
    full_width = full_line_width(pages)
    indents = uses_indentation(pages)
    parts: list[str] = []
    length = 0
    previous = ""
    page_starts: list[int] = []
    for lines in pages:
        page_start: int | None = None
        for raw in lines:
            line = raw.strip()
            if previous:
                joined = continues(previous, raw, full_width, indents)
                sep = _joiner(previous.strip(), line) if joined else "\n"
                parts.append(sep)
                length += len(sep)
            if page_start is None:
                page_start = length
            parts.append(line)
            length += len(line)
            previous = raw.rstrip()
        page_starts.append(length if page_start is None else page_start)
    return PagedText("".join(parts) + ("\n" if parts else ""), page_starts)


def clean_pdf_pages(page_texts: list[str]) -> PagedText:
    pages = [[ln.rstrip() for ln in text.splitlines() if ln.strip()] for text in page_texts]
    return join_pages(strip_furniture(pages))


_pypdf_quiet = threading.Lock()
_pypdf_readers = 0  # reads in progress (pages of two uploads may be read at once)
_pypdf_level = logging.NOTSET  # the level the pypdf logger had before the first of them


@contextmanager
def _pypdf_warnings_hidden() -> Iterator[None]:
    """pypdf logs every oddity it repairs; while a PDF is read here, only its errors pass (a
    broken file gets one clear error from read_pdf instead). Its modules log under child loggers
    of "pypdf", which a filter on "pypdf" would not see, so the parent's level is raised for the
    read and put back afterwards: the program's logging is as it was before."""
    global _pypdf_readers, _pypdf_level
    logger = logging.getLogger("pypdf")
    with _pypdf_quiet:
        if _pypdf_readers == 0:
            _pypdf_level = logger.level
            logger.setLevel(logging.ERROR)
        _pypdf_readers += 1
    try:
        yield
    finally:
        with _pypdf_quiet:
            _pypdf_readers -= 1
            if _pypdf_readers == 0:
                logger.setLevel(_pypdf_level)


def read_pdf(path: Path) -> PagedText:
    with _pypdf_warnings_hidden():
        return _read_pdf(path)


def _read_pdf(path: Path) -> PagedText:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            # Many PDFs are "encrypted" with an empty user password and open for anyone.
            try:
                opened = reader.decrypt("")
            except Exception as exc:  # pypdf raises several kinds for unsupported encryption
                raise InputError(
                    f"{path}: the PDF is encrypted ({exc}); save an unprotected copy and index it."
                ) from exc
            if not opened:
                raise InputError(
                    f"{path}: the PDF is password-protected; save an unprotected copy and index it."
                )
        page_texts = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except (PdfReadError, OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"{path}: not a readable PDF ({type(exc).__name__}: {exc}).") from exc
    if not page_texts:
        raise InputError(f"{path}: the PDF has no pages.")
    paged = clean_pdf_pages(page_texts)
    if not paged.text.strip():
        raise InputError(
            f"{path}: the PDF has no text layer (a scanned image?); run OCR on it first, "
            "or index a text, Word or searchable PDF version."
        )
    return paged


# ---------------------------------------------------------------------------------------------
# Word (.docx)

_CN_NUMERALS = "零一二三四五六七八九"
# Numbering for heading-styled paragraphs that carry no number of their own, in the outline
# that Chinese government reports use, so the parser sees the heading and its level.
_OUTLINE_FORMATS = ("{cn}、", "（{cn}）", "{n}.", "（{n}）")
_HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)


def chinese_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二, 20 -> 二十, 105 -> 一百零五 (Word's chineseCounting)."""
    if n <= 0:
        return str(n)
    if n < 10:
        return _CN_NUMERALS[n]
    if n < 20:
        return "十" + (_CN_NUMERALS[n % 10] if n % 10 else "")
    if n < 100:
        return _CN_NUMERALS[n // 10] + "十" + (_CN_NUMERALS[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + chinese_number(rest) if rest < 10 else chinese_number(rest))
    if 10 <= rest < 20:
        tail = "一" + tail
    return _CN_NUMERALS[n // 100] + "百" + tail if n < 1000 else str(n)


_ROMAN = (
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
)  # fmt: skip


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out += letters
            n -= value
    return out


def format_number(n: int, fmt: str) -> str:
    """A counter value in a Word number format (w:numFmt)."""
    if fmt.startswith(("chineseCounting", "ideograph", "taiwaneseCounting", "japaneseCounting")):
        return chinese_number(n)
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    if fmt == "lowerRoman":
        return _roman(n)
    if fmt == "upperRoman":
        return _roman(n).upper()
    if fmt == "none":
        return ""
    return str(n)


@dataclass(frozen=True)
class Level:
    fmt: str
    text: str  # Word's level text, e.g. "%1、" or "（%1）"
    start: int = 1


def render_number(levels: dict[int, Level], counters: list[int], ilvl: int) -> str:
    """The number Word shows for a paragraph at level `ilvl`, given the running counters."""
    level = levels.get(ilvl, Level("decimal", f"%{ilvl + 1}."))

    def value(match: re.Match[str]) -> str:
        k = int(match.group(1)) - 1
        fmt = levels.get(k, level).fmt
        return format_number(counters[k] if k < len(counters) else 1, fmt)

    return re.sub(r"%(\d)", value, level.text)


class _Numbering:
    """Word's automatic list numbering (numbering.xml), rendered as the text Word displays."""

    def __init__(self, document: Any) -> None:
        from docx.oxml.ns import qn

        self._qn = qn
        self._levels: dict[str, dict[int, Level]] = {}
        self._counters: dict[str, list[int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract: dict[str, dict[int, Level]] = {}
        for node in root.findall(qn("w:abstractNum")):
            abstract[node.get(qn("w:abstractNumId"))] = {
                int(lvl.get(qn("w:ilvl"))): Level(
                    fmt=self._val(lvl, "w:numFmt") or "decimal",
                    text=self._val(lvl, "w:lvlText") or "",
                    start=int(self._val(lvl, "w:start") or 1),
                )
                for lvl in node.findall(qn("w:lvl"))
            }
        for num in root.findall(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is not None:
                self._levels[num.get(qn("w:numId"))] = abstract.get(ref.get(qn("w:val")), {})

    def _val(self, node: Any, tag: str) -> str | None:
        child = node.find(self._qn(tag))
        return None if child is None else child.get(self._qn("w:val"))

    def _num_pr(self, paragraph: Any) -> tuple[str, int] | None:
        qn = self._qn
        for owner in (paragraph._p, getattr(paragraph.style, "element", None)):
            ppr = None if owner is None else owner.find(qn("w:pPr"))
            num_pr = None if ppr is None else ppr.find(qn("w:numPr"))
            if num_pr is not None:
                num_id = self._val(num_pr, "w:numId")
                ilvl = int(self._val(num_pr, "w:ilvl") or 0)
                if num_id and num_id != "0":
                    return num_id, ilvl
                return None
        return None

    def label(self, paragraph: Any) -> str:
        """The number of an auto-numbered paragraph (advancing its list), else ""."""
        found = self._num_pr(paragraph)
        if found is None or found[0] not in self._levels:
            return ""
        num_id, ilvl = found
        levels = self._levels[num_id]
        counters = self._counters.setdefault(num_id, [])
        while len(counters) <= ilvl:
            counters.append(levels.get(len(counters), Level("decimal", "")).start - 1)
        counters[ilvl] += 1
        # A new item at a level restarts the numbering of the levels below it.
        for k in range(ilvl + 1, len(counters)):
            counters[k] = levels.get(k, Level("decimal", "")).start - 1
        return render_number(levels, counters, ilvl)


def heading_level(style_name: str) -> int | None:
    match = _HEADING_STYLE.match(style_name.strip())
    return int(match.group(1)) if match else None


class _Outline:
    """Counters for heading-styled paragraphs that Word does not number."""

    def __init__(self) -> None:
        self._counters = [0] * len(_OUTLINE_FORMATS)

    def label(self, level: int) -> str:
        k = min(max(level, 1), len(_OUTLINE_FORMATS)) - 1
        self._counters[k] += 1
        for lower in range(k + 1, len(self._counters)):
            self._counters[lower] = 0
        n = self._counters[k]
        return _OUTLINE_FORMATS[k].format(cn=chinese_number(n), n=n)


def _one_line(text: str) -> str:
    # A soft line break inside a paragraph is layout, not a new paragraph.
    return re.sub(r"\s*\n\s*", "", text).strip()


def table_rows(table: Any) -> list[str]:
    """Each row as one line of its cells' text, so a row stays together in one sentence."""
    rows: list[str] = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is returned once per grid column
                continue
            seen.add(id(cell._tc))
            text = " ".join(_one_line(p.text) for p in cell.paragraphs if p.text.strip())
            if text:
                cells.append(text)
        if cells:
            rows.append(" ".join(cells))
    return rows


def docx_lines(document: Any) -> list[str]:
    """The document's paragraphs and table rows, in order, one per line, with their numbers."""
    from docx.table import Table

    numbering = _Numbering(document)
    outline = _Outline()
    lines: list[str] = []
    # Each paragraph's style name by its style id: python-docx looks a style up in the styles part
    # every time it is asked, which was half the time of reading a report.
    style_names: dict[str | None, str] = {}
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(table_rows(block))
            continue
        text = _one_line(block.text)
        label = numbering.label(block)
        if not text:
            continue
        style_id = block._p.style
        if style_id not in style_names:
            style_names[style_id] = block.style.name if block.style is not None else ""
        level = heading_level(style_names[style_id])
        if label:
            text = label + text
        elif level is not None and lines and heading_kind(text) is None:
            # The first paragraph is the title, whatever its style.
            text = outline.label(level) + text
        lines.append(text)
    return lines


def read_docx(path: Path) -> str:
    import zipfile

    from docx import Document
    from docx.opc.exceptions import OpcError

    try:
        document = Document(str(path))
        lines = docx_lines(document)
    except (OpcError, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise InputError(
            f"{path}: not a readable Word .docx file ({type(exc).__name__}: {exc}). "
            "An old .doc file must be saved as .docx first."
        ) from exc
    return "\n".join(lines) + "\n" if lines else ""
