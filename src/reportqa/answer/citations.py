"""Citation rendering: the chosen sentences quoted verbatim with [n] markers, and the numbered
citations of their passages with the quoted spans highlighted."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from reportqa.answer.question import FIGURE, QuestionFacts
from reportqa.answer.scoring import Candidate
from reportqa.answer.settings import AnswerSettings
from reportqa.indexing.tokenize import tokenize
from reportqa.records import Citation, ReportInfo

_CLAUSE_END = re.compile(r"[，,：:]")


def focus_span(
    text: str, start: int, end: int, facts: QuestionFacts, settings: AnswerSettings
) -> tuple[int, int]:
    """Trim a long sentence to the run of clauses that hold the question's terms."""
    if end - start <= settings.long_sentence_chars:
        return start, end
    bounds: list[tuple[int, int]] = []
    clause_start = start
    for m in _CLAUSE_END.finditer(text, start, end):
        bounds.append((clause_start, m.end()))
        clause_start = m.end()
    if clause_start < end:
        bounds.append((clause_start, end))
    wanted = set(facts.tokens)
    hits = [
        i
        for i, (s, e) in enumerate(bounds)
        if wanted & set(tokenize(text[s:e]))
        and (
            not facts.wants_figure
            or FIGURE.search(text[s:e])
            or len(wanted & set(tokenize(text[s:e]))) > 1
        )
    ]
    if not hits:
        return start, end
    first, last = hits[0], hits[-1]
    s, e = bounds[first][0], bounds[last][1]
    while e > s and text[e - 1] in "，,：: ":
        e -= 1
    return s, e


@dataclass(frozen=True)
class Quoted:
    """The answer's text and the citations its [n] markers refer to."""

    text: str
    citations: list[Citation]


def quote(
    chosen: list[Candidate],
    texts: Mapping[str, str],
    reports: Mapping[str, ReportInfo],
    facts: QuestionFacts,
    settings: AnswerSettings,
) -> Quoted:
    """The chosen sentences (trimmed to what answers) joined with their citation markers."""
    # What fits is decided best first (the best sentence is never crowded out by a longer,
    # lesser one); what is kept then reads in the report's order.
    kept: list[tuple[Candidate, int, int]] = []
    length = 0
    for cand in chosen:
        s, e = focus_span(texts[cand.hit.chunk.report], cand.start, cand.end, facts, settings)
        if kept and length + (e - s) > settings.max_answer_chars:
            continue
        kept.append((cand, s, e))
        length += e - s
    kept.sort(key=lambda k: (k[0].hit.chunk.report, k[0].start))
    # A passage is numbered when first quoted; all its quoted spans are its highlights.
    numbers: dict[int, int] = {}
    first_quoted: dict[int, Candidate] = {}
    spans: dict[int, list[tuple[int, int]]] = {}
    parts: list[str] = []
    for cand, s, e in kept:
        chunk_id = cand.hit.chunk_id
        n = numbers.setdefault(chunk_id, len(numbers) + 1)
        first_quoted.setdefault(chunk_id, cand)
        spans.setdefault(chunk_id, []).append((s, e))
        piece = texts[cand.hit.chunk.report][s:e]
        lead = "……" if s > cand.start else ""
        tail = "……" if e < cand.end else ""
        parts.append(f"{lead}{piece.rstrip('。；;')}{tail}[{n}]")
    citations = [
        citation_of(
            first_quoted[chunk_id],
            n,
            reports[first_quoted[chunk_id].hit.chunk.report],
            tuple(spans[chunk_id]),
        )
        for chunk_id, n in numbers.items()
    ]
    return Quoted("；".join(parts) + "。", citations)


def citation_of(
    cand: Candidate, n: int, report: ReportInfo, highlights: tuple[tuple[int, int], ...]
) -> Citation:
    """Citation number `n` of a candidate's passage, the quoted spans highlighted."""
    return Citation.of(n, cand.hit, report.title, highlights)
