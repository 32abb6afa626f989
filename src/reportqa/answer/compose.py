"""The extractive answer composer: pick the sentences that answer, cite them, or refuse.

No language model: the answer is made of sentences copied from the retrieved passages, so every
figure in it is verbatim from a cited passage. Refusal is decided on the evidence, not on retrieval
scores: the chosen sentence must match the question's years, places and identifiers, cover enough
of its terms, and hold a figure when one is asked for.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from reportqa.answer.evidence import Check, ReportInfo, first_failure, run_checks
from reportqa.answer.question import FIGURE, QuestionFacts, analyse
from reportqa.indexing.tokenize import tokenize
from reportqa.ingest.parse import split_sentences
from reportqa.lang import zh
from reportqa.records import Answer, Chunk, Citation, Hit


@dataclass(frozen=True)
class AnswerSettings:
    # Thresholds chosen on the evaluation set (README): accuracy varied by under 2 points across
    # the grid around them, so they are not finely tuned to that set.
    min_coverage: float = 0.45  # share of the question's term weight the evidence must hold
    # A paraphrased question shares few words with its answer. Below `min_coverage`, a sentence
    # is still taken when it covers some terms and is close in meaning to the question.
    semantic_min_coverage: float = 0.1
    # in standard deviations above the question's mean similarity to all chunks (see Engine)
    semantic_min_similarity: float = 2.8
    max_list_items: int = 8
    semantic_from_top_hits: int = 3
    max_sentences: int = 3
    max_answer_chars: int = 260
    long_sentence_chars: int = 110  # longer sentences are trimmed to the clauses that answer


@dataclass(frozen=True)
class Candidate:
    hit_rank: int
    hit: Hit
    start: int
    end: int
    score: float
    coverage: float
    matched: frozenset[str]


class TermWeights:
    """Inverse document frequency of keyword tokens over the indexed chunks."""

    def __init__(self, document_frequency: Mapping[str, int], documents: int) -> None:
        self._df = document_frequency
        self._n = max(documents, 1)

    def __call__(self, token: str) -> float:
        df = self._df.get(token, 0)
        return math.log(1 + (self._n - df + 0.5) / (df + 0.5))


def _score(
    facts: QuestionFacts, sentence: str, in_context: set[str], weight: TermWeights
) -> tuple[float, frozenset[str]]:
    """Share of the question's term weight found in the sentence (context tokens count half)."""
    total = sum(weight(t) for t in facts.tokens)
    if total == 0:
        return 0.0, frozenset()
    in_sentence = set(tokenize(sentence))
    matched = frozenset(t for t in facts.tokens if t in in_sentence)
    got = sum(weight(t) for t in matched)
    got += 0.5 * sum(weight(t) for t in facts.tokens if t not in in_sentence and t in in_context)
    return got / total, matched


def candidates(
    facts: QuestionFacts,
    hits: list[Hit],
    texts: Mapping[str, str],
    weight: TermWeights,
) -> list[Candidate]:
    found: list[Candidate] = []
    for rank, hit in enumerate(hits):
        chunk = hit.chunk
        text = texts[chunk.report]
        section_tokens = set(tokenize(chunk.section))  # once per passage, not per sentence
        for start, end in split_sentences(text, chunk.start, chunk.end):
            sentence = text[start:end]
            coverage, matched = _score(facts, sentence, section_tokens, weight)
            score = coverage + 0.15 / (1 + rank)
            if facts.wants_figure and FIGURE.search(sentence):
                score += 0.05
            found.append(Candidate(rank, hit, start, end, score, coverage, matched))
    found.sort(key=lambda c: -c.score)
    return found


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


def refusal(question: str, reason: str) -> Answer:
    return Answer(
        question=question,
        answer=f"根据已收录的报告，无法回答这个问题：{reason}。",
        refused=True,
        citations=[],
    )


Similarity = Callable[[list[str]], list[float]]


def _union_coverage(chosen: list[Candidate], facts: QuestionFacts, weight: TermWeights) -> float:
    total = sum(weight(t) for t in facts.tokens)
    matched: set[str] = set().union(*(c.matched for c in chosen))
    return sum(weight(t) for t in matched) / total if total else 0.0


def _select(
    usable: list[Candidate], weight: TermWeights, settings: AnswerSettings
) -> list[Candidate]:
    """The best sentence, plus sentences that hold question terms it lacks (lists, two-part
    questions), each nearly as good a match."""
    best = usable[0]
    chosen = [best]
    covered = set(best.matched)
    for cand in usable[1:]:
        if len(chosen) >= settings.max_sentences:
            break
        adds = cand.matched - covered
        if cand.score >= 0.6 * best.score and sum(weight(t) for t in adds) >= 1.0:
            chosen.append(cand)
            covered |= cand.matched
    return chosen


def compose_answer(
    question: str,
    hits: list[Hit],
    texts: Mapping[str, str],
    reports: Mapping[str, ReportInfo],
    weight: TermWeights,
    settings: AnswerSettings | None = None,
    similarity: Similarity | None = None,
    all_chunks: Sequence[Chunk] | None = None,
) -> Answer:
    """Answer from the retrieved passages. `similarity(sentences)` gives each sentence's semantic
    closeness to the question; without it, only keyword coverage decides. With `all_chunks`, a
    question asking for a list is answered with the enumerated items of the best section."""
    settings = settings or AnswerSettings()
    if not hits:
        return refusal(question, "报告中没有找到相关内容")
    facts = analyse(question)
    ranked = candidates(facts, hits, texts, weight)
    failed: list[Candidate] = []  # the closest sentences that failed a check, best first
    usable: list[Candidate] = []
    for cand in ranked:
        sentence = texts[cand.hit.chunk.report][cand.start : cand.end]
        chunk = cand.hit.chunk
        if first_failure(facts, sentence, chunk.section, reports[chunk.report]) is None:
            usable.append(cand)
        elif len(failed) < _REFUSAL_CANDIDATES and cand.coverage >= settings.semantic_min_coverage:
            failed.append(cand)

    def explained(answer: Answer, cand: Candidate, coverage: Check) -> Answer:
        chunk = cand.hit.chunk
        sentence = texts[chunk.report][cand.start : cand.end]
        answer.checks = [
            c.to_dict() for c in run_checks(facts, sentence, chunk.section, reports[chunk.report])
        ] + [coverage.to_dict()]
        return answer

    if usable and facts.wants_list and all_chunks is not None:
        # The best sentence's section first, then those of nearly as good sentences by rank.
        near = [c for c in usable if c.score >= 0.75 * usable[0].score]
        by_rank = sorted({c.hit_rank: c for c in reversed(near)}.items())
        for anchor in [usable[0], *(c for _, c in by_rank)]:
            items = _announced_items(anchor, all_chunks, texts) or _enumeration(
                anchor, all_chunks, texts, settings
            )
            if len(items) >= 2:
                answer = _render(question, items, texts, reports, facts, settings)
                return explained(answer, anchor, Check("list", True))
    if usable:
        chosen = _select(usable, weight, settings)
        covered = _union_coverage(chosen, facts, weight)
        if covered >= settings.min_coverage:
            answer = _render(question, chosen, texts, reports, facts, settings)
            return explained(answer, chosen[0], Check("coverage", True, f"{covered:.2f}"))
        if similarity is not None:
            semantic = _semantic_choice(usable, texts, similarity, settings)
            if semantic is not None:
                answer = _render(question, [semantic], texts, reports, facts, settings)
                return explained(answer, semantic, Check("similarity", True))
        if not failed:
            answer = refusal(question, "报告中没有找到与问题相符的内容")
            return explained(
                answer,
                usable[0],
                Check("coverage", False, f"{covered:.2f} < {settings.min_coverage}"),
            )
    if failed:
        # The sentence that came closest (fewest failed checks, then the one that got furthest
        # through them in order, then the best score) gives the real reason: "2026年…实际完成" is refused for giving only a target, not for a 2025 sentence.
        def checks_of(cand: Candidate) -> list[Check]:
            chunk = cand.hit.chunk
            sentence = texts[chunk.report][cand.start : cand.end]
            return run_checks(facts, sentence, chunk.section, reports[chunk.report])

        verdicts = [checks_of(cand) for cand in failed]
        checks = min(
            verdicts,
            key=lambda v: (
                sum(not c.passed for c in v),
                -next(i for i, c in enumerate(v) if not c.passed),  # got further down the list
            ),
        )
        answer = refusal(question, next(c.reason for c in checks if not c.passed))
        answer.checks = [c.to_dict() for c in checks]
        return answer
    return refusal(question, "报告中没有找到与问题相符的内容")


# How many of the closest failing sentences are weighed to name a refusal's reason.
_REFUSAL_CANDIDATES = 5

# An enumerated item: "一是…", "二是…" at the start of a sentence, clause or paragraph.
_ITEM = re.compile(r"(?:^|(?<=[。；;：:，,\n]))[ \u3000]*([一二三四五六七八九十]+是)")
_ITEM_END = re.compile(r"[，,。；;：:]")


def enumeration_items(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of the heads of enumerated items ("一是法治意识…有待提高") in `text[start:end]`."""
    spans = []
    for m in _ITEM.finditer(text, start, end):
        stop = _ITEM_END.search(text, m.start(1), end)
        spans.append((m.start(1), stop.start() if stop else end))
    return spans


def _enumeration(
    best: Candidate, all_chunks: Sequence[Chunk], texts: Mapping[str, str], settings: AnswerSettings
) -> list[Candidate]:
    """The items enumerated in the best sentence's section, else in its parent section."""
    report = best.hit.chunk.report
    path = best.hit.chunk.section.split(" > ")
    for depth in (len(path), len(path) - 1):
        if depth < 1:
            break
        scope = " > ".join(path[:depth])
        items: list[Candidate] = []
        # An index's chunks know the rows of each report: read those, not every chunk.
        rows_of = getattr(all_chunks, "rows_of", None)
        rows = rows_of(report) if rows_of else range(len(all_chunks))
        for chunk_id in rows:
            chunk = all_chunks[chunk_id]
            if chunk.report != report or not (
                chunk.section == scope or chunk.section.startswith(scope + " > ")
            ):
                continue
            hit = Hit(chunk_id, chunk, best.hit.score)
            for s, e in enumeration_items(texts[report], chunk.start, chunk.end):
                items.append(Candidate(best.hit_rank, hit, s, e, best.score, 0.0, frozenset()))
        if len(items) >= 2:
            return items[: settings.max_list_items]
        if depth == len(path):
            headings = _subheadings(best, scope, depth, all_chunks, texts)
            if len(headings) >= 2:
                return headings[: settings.max_list_items]
    return []


# A sentence announcing the items that follow: "重点做好以下八个方面工作", "主要做了以下工作".
_ANNOUNCE = re.compile(
    r"以下|如下|([一二两三四五六七八九十\d]+)(?:个|项|大|件)(?:方面|工作|任务|实事|举措)"
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


def _announced_items(
    anchor: Candidate, all_chunks: Sequence[Chunk], texts: Mapping[str, str]
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
    rows_of = getattr(all_chunks, "rows_of", None)  # the report's rows, not every chunk
    rows = rows_of(report) if rows_of else range(len(all_chunks))
    chunks = [(i, c) for i, c in ((i, all_chunks[i]) for i in rows) if c.report == report]
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
    all_chunks: Sequence[Chunk],
    texts: Mapping[str, str],
) -> list[Candidate]:
    """The headings of a section's sub-sections ("重点做好以下八个方面工作" followed by eight
    headings), each cited at the place it stands in the report."""
    report = best.hit.chunk.report
    text = texts[report]
    seen: set[str] = set()
    items: list[Candidate] = []
    # The report's rows only: reading every chunk took seconds a question at 1.4 M chunks.
    rows_of = getattr(all_chunks, "rows_of", None)
    for chunk_id in rows_of(report) if rows_of else range(len(all_chunks)):
        chunk = all_chunks[chunk_id]
        if chunk.report != report or not chunk.section.startswith(scope + " > "):
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


def _semantic_choice(
    usable: list[Candidate],
    texts: Mapping[str, str],
    similarity: Similarity,
    settings: AnswerSettings,
) -> Candidate | None:
    pool = [
        c
        for c in usable
        if c.hit_rank < settings.semantic_from_top_hits
        and c.coverage >= settings.semantic_min_coverage
    ]
    if not pool:
        return None
    sims = similarity([texts[c.hit.chunk.report][c.start : c.end] for c in pool])
    best_sim, best = max(zip(sims, pool, strict=True), key=lambda pair: pair[0] + pair[1].coverage)
    return best if best_sim >= settings.semantic_min_similarity else None


def _render(
    question: str,
    chosen: list[Candidate],
    texts: Mapping[str, str],
    reports: Mapping[str, ReportInfo],
    facts: QuestionFacts,
    settings: AnswerSettings,
) -> Answer:
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
    numbers: dict[int, int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    for cand, s, e in kept:
        chunk = cand.hit.chunk
        text = texts[chunk.report]
        piece = text[s:e]
        if cand.hit.chunk_id not in numbers:
            numbers[cand.hit.chunk_id] = len(numbers) + 1
            citations.append(
                Citation(
                    n=numbers[cand.hit.chunk_id],
                    report=chunk.report,
                    title=reports[chunk.report].title,
                    section=chunk.section,
                    start=chunk.start,
                    end=chunk.end,
                    text=chunk.text,
                    score=round(cand.hit.score, 6),
                    page=chunk.page,
                    highlights=[],
                )
            )
        citation = citations[numbers[cand.hit.chunk_id] - 1]
        citation.highlights.append((s, e))
        lead = "……" if s > cand.start else ""
        tail = "……" if e < cand.end else ""
        parts.append(f"{lead}{piece.rstrip('。；;')}{tail}[{citation.n}]")
        length += len(piece)
    answer = "；".join(parts) + "。"
    return Answer(question=question, answer=answer, refused=False, citations=citations)
