"""List enumeration: a question asking "哪些/哪几个方面" is answered with the items a report
enumerates (一是…二是…, the items an announcement introduces, or a section's sub-headings)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from reportqa import rules
from reportqa.answer.passages import ChunksOf
from reportqa.answer.scoring import Candidate
from reportqa.answer.settings import AnswerSettings
from reportqa.lang import zh
from reportqa.records import Hit

# An enumerated item: "一是…", "二是…" at the start of a sentence, clause or paragraph.
_ITEM = re.compile(r"(?:^|(?<=[。；;：:，,\n]))[ \u3000]*([一二三四五六七八九十]+是)")
_ITEM_END = re.compile(r"[，,。；;：:]")


def list_items(
    usable: list[Candidate],
    chunks_of: ChunksOf,
    texts: Mapping[str, str],
    settings: AnswerSettings,
) -> tuple[Candidate, list[Candidate]] | None:
    """The sentence a list hangs on and the list's items (at least two), or None.

    The best sentence's section is tried first, then those of nearly as good sentences by rank."""
    near = [c for c in usable if c.score >= settings.list_anchor_min_score_share * usable[0].score]
    by_rank = sorted({c.hit_rank: c for c in reversed(near)}.items())
    for anchor in [usable[0], *(c for _, c in by_rank)]:
        items = announced_items(anchor, chunks_of, texts) or section_items(
            anchor, chunks_of, texts, settings
        )
        if len(items) >= 2:
            return anchor, items
    return None


def enumeration_items(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the heads of enumerated items ("一是法治意识…有待提高") in `text[start:end]`."""
    spans = []
    for m in _ITEM.finditer(text, start, end):
        stop = _ITEM_END.search(text, m.start(1), end)
        spans.append((m.start(1), stop.start() if stop else end))
    return spans


def section_items(
    best: Candidate, chunks_of: ChunksOf, texts: Mapping[str, str], settings: AnswerSettings
) -> list[Candidate]:
    """The items enumerated in the best sentence's section, else in its parent section."""
    report = best.hit.chunk.report
    path = best.hit.chunk.section.split(" > ")
    for depth in (len(path), len(path) - 1):
        if depth < 1:
            break
        scope = " > ".join(path[:depth])
        items: list[Candidate] = []
        for chunk_id, chunk in chunks_of(report):
            if not (chunk.section == scope or chunk.section.startswith(scope + " > ")):
                continue
            hit = Hit(chunk_id, chunk, best.hit.score)
            for s, e in enumeration_items(texts[report], chunk.start, chunk.end):
                items.append(Candidate(best.hit_rank, hit, s, e, best.score, 0.0, frozenset()))
        if len(items) >= 2:
            return items[: settings.max_list_items]
        if depth == len(path):
            headings = _subheadings(best, scope, depth, chunks_of, texts)
            if len(headings) >= 2:
                return headings[: settings.max_list_items]
    return []


# A sentence announcing the items that follow: "重点做好以下八个方面工作", "主要做了以下工作".
_ANNOUNCE = re.compile(
    r"以下|如下|([一二两三四五六七八九十\d]+)(?:个|项|大|件)"
    + ("?" if rules.on("wording") else "")
    + r"(?:方面|工作|任务|实事|举措)"
)
# Item markers, one style per list: （一）, (一), 一、, 一是, 1., 1、, （1）.
_MARKERS = (
    re.compile(r"[（(]([一二三四五六七八九十]+)[）)]"),
    re.compile(r"(?:^|(?<=[。；;\n]))[ \u3000]*([一二三四五六七八九十]+)是"),
    re.compile(r"(?:^|(?<=\n))[ \u3000]*([一二三四五六七八九十]+)、"),
    re.compile(r"(?:^|(?<=[。；;\n]))[ \u3000]*(\d{1,2})[.．、](?!\d)"),
    re.compile(r"[（(](\d{1,2})[）)]"),
)
_MAX_ANNOUNCED = 12
_ANNOUNCE_WINDOW = 20000  # characters after the announcement in which its items are sought


def announced_items(
    anchor: Candidate, chunks_of: ChunksOf, texts: Mapping[str, str]
) -> list[Candidate]:
    """The items a sentence announces ("重点做好以下八个方面工作。（一）…（二）…"): the heads of the
    markers of one style that follow it, whether they stand as headings or run inline."""
    report = anchor.hit.chunk.report
    text = texts[report]
    announced = _ANNOUNCE.search(text, anchor.start, anchor.end)
    if not announced:
        return []
    window_end = min(len(text), anchor.end + _ANNOUNCE_WINDOW)
    firsts = [
        (m.start(), pattern)
        for pattern in _MARKERS
        if (m := pattern.search(text, anchor.end, window_end))
    ]
    if not firsts:
        return []
    start, marker = min(firsts, key=lambda pair: pair[0])
    if text[anchor.end : start].strip():
        return []  # the items must follow the announcement directly
    count = zh.numeral_value(announced.group(1)) if announced and announced.group(1) else None
    spans: list[tuple[int, int]] = []
    for m in marker.finditer(text, start, window_end):
        # one list: numbered 1, 2, 3… without a gap; a restart belongs to another list
        if (
            len(spans) >= (count or _MAX_ANNOUNCED)
            or zh.numeral_value(m.group(1)) != len(spans) + 1
        ):
            break
        stop = _ITEM_END.search(text, m.end(), window_end)
        spans.append((m.start(), stop.start() if stop else m.end()))
    chunks = list(chunks_of(report))
    items: list[Candidate] = []
    for s, e in spans:
        owner = next(((i, c) for i, c in chunks if c.start <= s and e <= c.end), None)
        if owner is None:
            continue
        hit = Hit(owner[0], owner[1], anchor.hit.score)
        items.append(Candidate(anchor.hit_rank, hit, s, e, anchor.score, 0.0, frozenset()))
    return items if len(items) >= 2 else []


def _subheadings(
    best: Candidate,
    scope: str,
    depth: int,
    chunks_of: ChunksOf,
    texts: Mapping[str, str],
) -> list[Candidate]:
    """The headings of a section's sub-sections ("重点做好以下八个方面工作" followed by eight
    headings), each cited at the place it stands in the report."""
    report = best.hit.chunk.report
    text = texts[report]
    seen: set[str] = set()
    items: list[Candidate] = []
    for chunk_id, chunk in chunks_of(report):
        if not chunk.section.startswith(scope + " > "):
            continue
        parts = chunk.section.split(" > ")
        if len(parts) <= depth or parts[depth] in seen:
            continue
        heading = parts[depth]
        seen.add(heading)
        at = text.find(heading, chunk.start, chunk.end)  # a heading opens its first chunk
        if at < 0:
            continue
        hit = Hit(chunk_id, chunk, best.hit.score)
        items.append(
            Candidate(best.hit_rank, hit, at, at + len(heading), best.score, 0.0, frozenset())
        )
    return items
