"""Sentence scoring: how much of the question a sentence of a retrieved passage holds, and which
sentences (the best, plus those that add what it lacks) are worth quoting."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from reportqa import rules
from reportqa.answer.question import FIGURE, QuestionFacts
from reportqa.answer.settings import AnswerSettings
from reportqa.indexing.tokenize import tokenize
from reportqa.ingest.parse import split_sentences
from reportqa.lang import zh
from reportqa.records import Hit

# `similarity(sentences)` gives each sentence's semantic closeness to the question.
Similarity = Callable[[list[str]], list[float]]
# A term's weight (inverse document frequency).
Weight = Callable[[str], float]


@dataclass(frozen=True)
class Candidate:
    """A sentence `text[start:end]` of a retrieved passage, with its score."""

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

    def looked_up(self, tokens: Iterable[str]) -> Weight:
        """These tokens' weights, each looked up once. Sentences are scored on the question's
        terms only, each weighed many times per question, and the document frequencies may be
        read from disk (a binary search per lookup)."""
        table = {t: self(t) for t in tokens}
        return lambda token: table[token] if token in table else self(token)


def coverage_of(
    facts: QuestionFacts, sentence: str, in_context: set[str], weight: Weight
) -> tuple[float, frozenset[str]]:
    """Share of the question's term weight found in the sentence (context tokens count half)."""
    total = sum(weight(t) for t in facts.tokens)
    if total == 0:
        return 0.0, frozenset()
    in_sentence = set(tokenize(sentence))
    if facts.aliases and rules.on("report_names"):
        # the question is read under the names reports print ("GDP" as 生产总值); so is the
        # sentence, or "全市GDP增长6.3%" would not cover the question "GDP增长了多少"
        in_sentence |= set(tokenize(zh.with_report_names(sentence)))
    matched = frozenset(t for t in facts.tokens if t in in_sentence)
    got = sum(weight(t) for t in matched)
    got += 0.5 * sum(weight(t) for t in facts.tokens if t not in in_sentence and t in in_context)
    return got / total, matched


def candidates(
    facts: QuestionFacts,
    hits: list[Hit],
    texts: Mapping[str, str],
    weight: Weight,
    settings: AnswerSettings,
    first_rank: int = 0,
) -> list[Candidate]:
    """Every sentence of the passages, best first (`hits` ranked from `first_rank` on)."""
    found: list[Candidate] = []
    for rank, hit in enumerate(hits, start=first_rank):
        chunk = hit.chunk
        text = texts[chunk.report]
        section_tokens = set(tokenize(chunk.section))  # once per passage, not per sentence
        for start, end in split_sentences(text, chunk.start, chunk.end):
            sentence = text[start:end]
            coverage, matched = coverage_of(facts, sentence, section_tokens, weight)
            score = coverage + settings.rank_bonus / (1 + rank)
            if facts.wants_figure and FIGURE.search(sentence):
                score += settings.figure_bonus
            found.append(Candidate(rank, hit, start, end, score, coverage, matched))
    found.sort(key=lambda c: -c.score)
    return found


def union_coverage(chosen: list[Candidate], facts: QuestionFacts, weight: Weight) -> float:
    """Share of the question's term weight the chosen sentences hold together."""
    total = sum(weight(t) for t in facts.tokens)
    matched: set[str] = set().union(*(c.matched for c in chosen))
    return sum(weight(t) for t in matched) / total if total else 0.0


def select(usable: list[Candidate], weight: Weight, settings: AnswerSettings) -> list[Candidate]:
    """The best sentence, plus sentences that hold question terms it lacks (lists, two-part
    questions), each nearly as good a match."""
    best = usable[0]
    chosen = [best]
    covered = set(best.matched)
    for cand in usable[1:]:
        if len(chosen) >= settings.max_sentences:
            break
        adds = cand.matched - covered
        if (
            cand.score >= settings.companion_min_score_share * best.score
            and sum(weight(t) for t in adds) >= settings.companion_min_added_weight
        ):
            chosen.append(cand)
            covered |= cand.matched
    return chosen


def semantic_choice(
    usable: list[Candidate],
    texts: Mapping[str, str],
    similarity: Similarity,
    settings: AnswerSettings,
) -> Candidate | None:
    """For a paraphrase: the sentence of the top passages closest in meaning to the question,
    if it is close enough."""
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
