"""Parse a report's text into a title, a heading hierarchy and sentences, and pack them into chunks.

Everything here is a pure function of the text: offsets always index into the text unchanged, so
that `text[chunk.start:chunk.end] == chunk.text` for every chunk.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from typing import Any

from reportqa.records import Chunk

_CN_DIGITS = "一二三四五六七八九十百零〇两"

# Kinds of heading numbering. Their levels are not fixed: like an outline, the first kind seen
# in a report is its top level, the next new kind the level below, and so on. A fixed order fails
# on real reports (a 淮安 annual report puts "第二十条" table captions under "二、"). Reports mix
# half-width and full-width punctuation.
_HEADING_KINDS: list[re.Pattern[str]] = [
    re.compile(rf"^第[{_CN_DIGITS}\d]+[编章]"),
    re.compile(rf"^第[{_CN_DIGITS}\d]+节"),
    re.compile(rf"^第[{_CN_DIGITS}\d]+条"),
    re.compile(rf"^[{_CN_DIGITS}]+[、．.]"),
    re.compile(rf"^[（(][{_CN_DIGITS}]+[）)]"),
    re.compile(r"^\d{1,2}(?:[、．]|\.(?!\d))"),
    re.compile(r"^[（(]\d{1,2}[）)]"),
]
# A work report's parts headed without a number: "2023年工作回顾", "2024年重点工作安排建议",
# "2024年政府工作的总体要求和主要目标", "加强政府自身建设". They are a heading kind of their own
# (SECTION_TITLE_KIND); its level, like the others', is the order in which a report first uses it.
_SECTION_TITLE = re.compile(
    rf"(?:(?:\d{{4}}|[{_CN_DIGITS}]{{4}})年|过去(?:一|五)年|今后(?:一|五)年)"
    r"[\u4e00-\u9fff]{0,14}?"
    r"(?:工作回顾|工作安排(?:建议)?|重点工作(?:安排)?(?:建议)?|主要工作(?:安排)?|目标任务"
    r"|主要任务|主要目标)"
    r"|(?:切实|全面|进一步|持续)?加强政府自身建设"
)
SECTION_TITLE_KIND = len(_HEADING_KINDS)
# Inside pasted text a section title runs straight into its first sentence ("2023年工作回顾2023年
# 是…", "加强政府自身建设人民政府为人民…"); a title followed by these goes on as a sentence
# ("2024年主要目标是：").
_NOT_AFTER_TITLE = frozenset("，,、：:；;。是的为和与及要将中")
# A line this long is text pasted into Word as one paragraph: the longest paragraph of the
# 74 reports surveyed that have real paragraphs is 1,624 characters, the pasted ones run to 9,000
# and more. Its paragraphs are told apart by the indents the paste kept ("　　") and by headings
# at the start of a sentence.
_PASTED_MIN_CHARS = 2000
_INDENT_RUN = re.compile(r"[ \t\u3000\u00a0]{2,}")
# Below every numbered heading: a paragraph's short lead sentence ("突出政治引领,筑牢法治建设思想
# 根基。") and the items of an enumeration inside a paragraph ("一是……二是……").
_ITEM_START = re.compile(rf"^(?:[{_CN_DIGITS}]+是|其[{_CN_DIGITS}]+是|第[{_CN_DIGITS}]+是)")
_LEAD_MAX_CHARS = 30
_HEADING_MAX_CHARS = 60
# A flattened table row ("2.其他法律行政法规禁止公开 30 1 0 0 0 0 31"): three or more numbers apart.
# It is not a heading, and a PDF line before one is not a wrapped sentence (formats.py).
TABLE_ROW = re.compile(r"(?:\s\d+(?:\.\d+)?%?){3,}")

SENTENCE_ENDS = frozenset("。！？；!?;")
_OPENERS = {
    "“": "”",
    "‘": "’",
    "《": "》",
    "「": "」",
    "『": "』",
    "（": "）",
    "(": ")",
    "【": "】",
}
_CLOSERS = frozenset(_OPENERS.values())
_TITLE_BAD_ENDS = tuple("。！？；：:，,!?;")


@dataclass(frozen=True)
class Unit:
    """A sentence (or heading line) with the heading path it sits under."""

    start: int
    end: int
    path: tuple[str, ...]
    is_heading: bool = False


@dataclass(frozen=True)
class ParsedReport:
    title: str
    title_span: tuple[int, int] | None
    units: list[Unit]


# How reports are split into headings and passages. An index records the version it was built
# with, and a build with another version parses and embeds every report again: the same file may
# now give other passages, and an index that kept the old ones would answer from stale sections.
# 1: headings on their own lines; 2: also headings inside text pasted as one paragraph, and a
# work report's part titles without a number.
PARSER_VERSION = 2


@dataclass(frozen=True)
class ChunkSettings:
    # Measured on the evaluation set (README): 200 characters with one sentence of overlap ranked
    # best (MRR@10 .948 hybrid, against .894 at 120 and .912 at 300 without overlap).
    max_chars: int = 200
    overlap_sentences: int = 1
    parser: int = PARSER_VERSION

    def to_json(self) -> dict[str, int]:
        """The settings as written in a manifest. Indexes built before the parser had a version
        have no "parser" key; version 1 is written that way, so their manifests stay unchanged."""
        data = asdict(self)
        if self.parser == 1:
            del data["parser"]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChunkSettings:
        return cls(**{"parser": 1, **data})


def _lines(text: str) -> Iterator[tuple[int, int]]:
    """Yield (start, end) of each line's non-blank content."""
    pos = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        stripped_left = len(body) - len(body.lstrip())
        content = body.strip()
        if content:
            start = pos + stripped_left
            yield start, start + len(content)
        pos += len(raw)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    """`(start, end)` without the whitespace at either end; None when nothing else is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Split `text[start:end]` into sentence spans on 。！？；!?; and line breaks.

    Never splits inside 《》, quotes or brackets (so a quoted title or an aside stays whole), and
    never on commas. Spans are trimmed of whitespace; whitespace-only pieces are dropped.
    """
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    stack: list[str] = []
    piece_start = start

    def close_piece(piece_end: int) -> None:
        if span := _trimmed(text, piece_start, piece_end):
            spans.append(span)

    i = start
    while i < end:
        ch = text[i]
        if ch == "\n":
            close_piece(i)
            piece_start = i + 1
            stack.clear()  # an unbalanced quote never swallows the next paragraph
        elif ch in _OPENERS:
            stack.append(_OPENERS[ch])
        elif ch in _CLOSERS:
            if stack and stack[-1] == ch:
                stack.pop()
            elif ch in stack:
                while stack and stack.pop() != ch:
                    pass
        elif ch in SENTENCE_ENDS and not stack:
            j = i + 1
            while j < end and (text[j] in SENTENCE_ENDS or text[j] in "”’」』"):
                j += 1
            close_piece(j)
            piece_start = j
            i = j
            continue
        i += 1
    close_piece(end)
    return spans


def heading_kind(line: str) -> int | None:
    """Which kind of heading numbering a line opens with, or None for body text."""
    if TABLE_ROW.search(line):
        return None
    for kind, pattern in enumerate(_HEADING_KINDS):
        if pattern.match(line):
            return kind
    return None


def section_title_end(text: str, start: int, end: int, inline: bool = False) -> int | None:
    """Where an unnumbered section title opening `text[start:end]` ends, or None. On its own line
    the title is the whole line (bar end punctuation); `inline`, it may run into the next
    sentence."""
    found = _SECTION_TITLE.match(text, start, end)
    if found is None:
        return None
    if not inline:
        rest = _strip_end_punct(text[found.end() : end])
        return end if not rest else None
    following = text[found.end() : found.end() + 1]
    return found.end() if following not in _NOT_AFTER_TITLE else None


def _clipped(name: str) -> str:
    """A heading name run into its text, cut at the last clause that ends within the limit."""
    head = name[:_HEADING_MAX_CHARS]
    comma = max(head.rfind("，"), head.rfind(","))
    return head[:comma] if comma > 0 else head


def _number_length(line: str) -> int:
    """The length of the numbering a heading line opens with ("二、", "（三）")."""
    for pattern in _HEADING_KINDS:
        found = pattern.match(line)
        if found:
            return found.end()
    return 0


def _opens_heading(text: str, start: int, end: int) -> bool:
    """Whether a heading starts at `start` inside pasted text."""
    sentence = text[start : min(end, start + _HEADING_MAX_CHARS * 2)]
    return heading_kind(sentence) is not None or bool(section_title_end(text, start, end, True))


def paragraphs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The paragraphs of the line `text[start:end]`: the line itself, unless it is text pasted
    as one paragraph, which is cut where an indent run ends and where a heading opens a sentence
    (also after a colon: "主要做了以下工作：（一）…"). Spans are trimmed of whitespace."""
    if end - start < _PASTED_MIN_CHARS:
        return [(start, end)]
    cuts = {start, end}
    cuts.update(m.end() for m in _INDENT_RUN.finditer(text, start, end))
    cuts.update(s for s, _ in split_sentences(text, start, end) if _opens_heading(text, s, end))
    for colon in re.finditer(r"[：:]", text[start:end]):
        after = start + colon.end()
        if _opens_heading(text, after, end):
            cuts.add(after)
    ordered = sorted(cuts)
    pieces = (_trimmed(text, s, e) for s, e in zip(ordered, ordered[1:], strict=False))
    return [span for span in pieces if span is not None]


def _strip_end_punct(s: str) -> str:
    return s.rstrip("。！？；!?;：:，, ")


def _looks_like_title(line: str) -> bool:
    return (
        len(line) <= _HEADING_MAX_CHARS
        and not line.endswith(_TITLE_BAD_ENDS)
        and heading_kind(line) is None
        and section_title_end(line, 0, len(line)) is None
        and not line.startswith(("——", "—"))
    )


def _find_title(text: str, lines: list[tuple[int, int]]) -> tuple[str, tuple[int, int] | None]:
    """The title is the first line when it reads like one; a short issuing-body line
    ("淮安市人民政府") followed by a title-like line joins it."""
    if not lines:
        return "", None
    s0, e0 = lines[0]
    first = text[s0:e0]
    if not _looks_like_title(first):
        return "", None
    if len(first) <= 10 and len(lines) > 1:
        s1, e1 = lines[1]
        second = text[s1:e1]
        if _looks_like_title(second) and not re.match(r"^\d{4}-\d", second):
            return first + second.replace(" ", ""), (s0, e1)
    return first, (s0, e0)


def _lead_title(sentence: str) -> str | None:
    """The heading text of a paragraph's lead sentence or enumeration item, if it is one."""
    core = _strip_end_punct(sentence)
    if _ITEM_START.match(core):
        head = re.split(r"[，,。；;：:]", core, maxsplit=1)[0]
        return head[:_LEAD_MAX_CHARS]
    return None


def _is_lead(sentence: str, has_more: bool) -> bool:
    core = _strip_end_punct(sentence)
    return (
        has_more
        and sentence.endswith(("。", "."))
        and 4 <= len(core) <= _LEAD_MAX_CHARS
        and not re.search(r"\d", core)
    )


def parse_report(text: str) -> ParsedReport:
    """Split a report into units (headings and sentences) that carry their heading path."""
    lines = list(_lines(text))
    title, title_span = _find_title(text, lines)
    units: list[Unit] = []
    open_headings: list[tuple[int, str]] = []
    level_of_kind: dict[int, int] = {}

    def path(lead: str | None = None) -> tuple[str, ...]:
        names = tuple(name for _, name in open_headings)
        return (*names, lead) if lead else names

    blocks = [
        (start, end, end - start < line_end - line_start)
        for line_start, line_end in lines
        if not (title_span and line_end <= title_span[1])
        for start, end in paragraphs(text, line_start, line_end)
    ]
    for line_start, line_end, pasted in blocks:
        line = text[line_start:line_end]
        kind = heading_kind(line)
        title_end = section_title_end(text, line_start, line_end, inline=pasted)
        if kind is None and title_end is not None:
            kind = SECTION_TITLE_KIND
        body_start = line_start
        if kind is not None:
            sentences = split_sentences(text, line_start, line_end)
            head_end = sentences[0][1] if sentences else line_end
            if kind != SECTION_TITLE_KIND:
                # "二、2024年工作安排今年是…": a numbered section title run into its text
                number_end = line_start + _number_length(line)
                title_end = section_title_end(text, number_end, line_end, inline=pasted)
            if title_end is not None:
                head_end = min(head_end, title_end)
            head = text[line_start:head_end]
            name = _strip_end_punct(head)
            if len(name) > _HEADING_MAX_CHARS and pasted:
                # Pasted text lost the break between a heading and its first sentence: the
                # heading is where a cut paragraph starts, its name as much as fits.
                name = _clipped(name)
            if len(name) <= _HEADING_MAX_CHARS:
                rank = level_of_kind.setdefault(kind, len(level_of_kind))
                open_headings = [(r, n) for r, n in open_headings if r < rank]
                open_headings.append((rank, name))
                units.append(Unit(line_start, head_end, path(), is_heading=True))
                body_start = head_end
        sentences = split_sentences(text, body_start, line_end)
        lead: str | None = None
        for k, (s, e) in enumerate(sentences):
            sentence = text[s:e]
            item = _lead_title(sentence)
            if item:
                lead = item
            elif k == 0 and body_start == line_start and _is_lead(sentence, len(sentences) > 1):
                lead = _strip_end_punct(sentence)
            units.append(Unit(s, e, path(lead)))
    return ParsedReport(title=title, title_span=title_span, units=units)


def section_label(path: tuple[str, ...]) -> str:
    return " > ".join(path)


def pack_chunks(
    report_id: str, text: str, units: list[Unit], settings: ChunkSettings
) -> list[Chunk]:
    """Pack consecutive units of one section into chunks of at most `max_chars` characters.

    A chunk never crosses a section boundary, except that heading lines with no text of their own
    open the next chunk, so no heading is left alone. A unit longer than the limit is a chunk by
    itself: sentences are never cut.
    """
    chunks: list[Chunk] = []
    current: list[Unit] = []

    def flush() -> None:
        if current:
            start, end = current[0].start, current[-1].end
            body_path = next((u.path for u in reversed(current) if not u.is_heading), None)
            section = section_label(body_path if body_path is not None else current[-1].path)
            chunks.append(Chunk(report_id, section, start, end, text[start:end]))

    for unit in units:
        if current:
            only_headings = all(u.is_heading for u in current)
            body = [u for u in current if not u.is_heading]
            same_section = not body or body[-1].path == unit.path
            too_long = unit.end - current[0].start > settings.max_chars
            if not only_headings and (not same_section or too_long or unit.is_heading):
                flush()
                keep = settings.overlap_sentences if same_section and not unit.is_heading else 0
                current = current[-keep:] if keep else []
        current.append(unit)
    flush()
    return chunks


def chunk_report(
    report_id: str,
    text: str,
    settings: ChunkSettings | None = None,
    page_starts: list[int] | None = None,
) -> list[Chunk]:
    """Chunks of a report; with `page_starts` (offsets where pages begin) each knows its page."""
    parsed = parse_report(text)
    chunks = pack_chunks(report_id, text, parsed.units, settings or ChunkSettings())
    if not page_starts:
        return chunks
    return [replace(c, page=bisect_right(page_starts, c.start)) for c in chunks]
