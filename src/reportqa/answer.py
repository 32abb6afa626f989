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

from .models import Answer, Chunk, Citation, Hit
from .parse import split_sentences
from .question import FIGURE, YEAR, QuestionFacts, analyse, jieba_posseg
from .tokenize import tokenize


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
class ReportInfo:
    title: str
    places: tuple[str, ...]
    years: tuple[int, ...]


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


def _years(text: str) -> set[int]:
    return {int(y) for y in YEAR.findall(text)}


def evidence_years(sentence: str, section: str, report: ReportInfo) -> set[int]:
    """Years a sentence speaks of. A sentence with no year speaks of its section's or report's.

    A year earlier than the report covers ("较2023年增长") is a comparison base, so the report's
    own years still apply to the sentence.
    """
    found = _years(sentence) | _years(section)
    if not found or (report.years and max(found) < min(report.years)):
        found |= set(report.years)
    return found


def _place_known(place: str, haystacks: list[str], report: ReportInfo) -> bool:
    if any(place in h for h in haystacks):
        return True
    stem = place[:-1] if len(place) > 2 and place[-1] in "省市区县镇州" else place
    return any(stem in p or p in place for p in report.places)


def _has_person_name(sentence: str) -> bool:
    return any(flag == "nr" for _, flag in jieba_posseg().cut(sentence))


# "全市" asked, "全区" given: a district's total is not its city's.
_SCOPE = re.compile(r"全(?:国|省|市|区|县|镇)")


def _scopes(text: str) -> list[str]:
    return list(dict.fromkeys(_SCOPE.findall(text)))


_LEVELS = {"省": 0, "市": 1, "区": 2, "县": 2, "镇": 3}


def report_scope(report: ReportInfo) -> str | None:
    """The scope a report's own figures cover: "全区" for a district's report."""
    levels = [(_LEVELS[p[-1]], p[-1]) for p in report.places if p and p[-1] in _LEVELS]
    return f"全{max(levels)[1]}" if levels else None


def scope_conflict(question: str, sentence: str, section: str, report: ReportInfo) -> str | None:
    """The evidence's administrative scope when it differs from the one the question asks about.

    A sentence that names no scope speaks for its section's, else for its report's.
    """
    asked = set(_scopes(question))
    if not asked:
        return None
    own = report_scope(report)
    given = _scopes(sentence) or _scopes(section) or ([own] if own else [])
    if given and not asked & set(given):
        return given[0]
    return None


def mismatch(facts: QuestionFacts, sentence: str, section: str, report: ReportInfo) -> str | None:
    """Why this sentence cannot answer the question, or None when it can."""
    years = evidence_years(sentence, section, report)
    missing_years = [y for y in facts.years if y not in years]
    if missing_years:
        return f"报告中没有{missing_years[0]}年的相关内容"
    context = [sentence, section, report.title]
    for place in facts.places:
        if not _place_known(place, context, report):
            return f"报告中没有关于{place}的相关内容"
    lowered = (sentence + section).lower()
    for ident in facts.identifiers:
        if ident not in lowered:
            return f"报告中没有提到“{ident.upper()}”"
    scope = scope_conflict(facts.text, sentence, section, report)
    if scope:
        return f"报告只给出{scope}的数字，没有{_scopes(facts.text)[0]}的"
    if facts.subset and facts.subset not in sentence:
        return f"报告中没有单独给出“{facts.subset}”的数字"
    if facts.measure and facts.measure not in sentence:
        return f"报告中没有给出{facts.measure}"
    if facts.wants_figure and not FIGURE.search(sentence):
        return "报告中没有给出相应的数字"
    if facts.wants_person and not _has_person_name(sentence):
        return "报告中没有提到相关人员的姓名"
    return None


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
    first_reason: str | None = None
    usable: list[Candidate] = []
    for cand in ranked:
        sentence = texts[cand.hit.chunk.report][cand.start : cand.end]
        reason = mismatch(facts, sentence, cand.hit.chunk.section, reports[cand.hit.chunk.report])
        if reason is None:
            usable.append(cand)
        elif first_reason is None and cand.coverage >= settings.semantic_min_coverage:
            first_reason = reason
    if usable and facts.wants_list and all_chunks is not None:
        # The best sentence's section first, then those of nearly as good sentences by rank.
        near = [c for c in usable if c.score >= 0.75 * usable[0].score]
        by_rank = sorted({c.hit_rank: c for c in reversed(near)}.items())
        for anchor in [usable[0], *(c for _, c in by_rank)]:
            items = _enumeration(anchor, all_chunks, texts, settings)
            if len(items) >= 2:
                return _render(question, items, texts, reports, facts, settings)
    if usable:
        chosen = _select(usable, weight, settings)
        if _union_coverage(chosen, facts, weight) >= settings.min_coverage:
            return _render(question, chosen, texts, reports, facts, settings)
        if similarity is not None:
            semantic = _semantic_choice(usable, texts, similarity, settings)
            if semantic is not None:
                return _render(question, [semantic], texts, reports, facts, settings)
    return refusal(question, first_reason or "报告中没有找到与问题相符的内容")


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
    return []


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
    # Keep the report's order so that the answer reads as the text does.
    chosen = sorted(chosen, key=lambda c: (c.hit.chunk.report, c.start))
    numbers: dict[int, int] = {}
    citations: list[Citation] = []
    parts: list[str] = []
    length = 0
    for cand in chosen:
        chunk = cand.hit.chunk
        text = texts[chunk.report]
        s, e = focus_span(text, cand.start, cand.end, facts, settings)
        piece = text[s:e]
        if parts and length + len(piece) > settings.max_answer_chars:
            continue
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
