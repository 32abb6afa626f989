"""Evaluation metrics as small pure functions: retrieval, answers, citations, refusals, latency.

Relevance is decided on text, not on chunk ids, so the same gold question set stays valid when
chunking changes: a chunk is relevant when it holds a gold span, or at least `MIN_OVERLAP`
contiguous characters of one (a span may straddle two chunks).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from reportqa.records import CITATION_MARKER

MIN_OVERLAP = 15


def holds_evidence(text: str, spans: Sequence[str], min_overlap: int = MIN_OVERLAP) -> bool:
    """True when `text` holds a span whole, or any `min_overlap`-character window of one.

    Every run of `min_overlap` contiguous characters shared with a span contains one of the span's
    windows of that length, so testing the windows is exact; each test is a substring search.
    """
    for span in spans:
        if len(span) <= min_overlap:
            if span and span in text:
                return True
            continue
        if any(span[i : i + min_overlap] in text for i in range(len(span) - min_overlap + 1)):
            return True
    return False


def hit_at_k(relevant: Sequence[bool], k: int) -> float:
    """1.0 when a relevant item is among the first k, else 0.0."""
    return 1.0 if any(relevant[:k]) else 0.0


def reciprocal_rank(relevant: Sequence[bool], k: int) -> float:
    """1/rank of the first relevant item among the first k; 0.0 when there is none."""
    for rank, rel in enumerate(relevant[:k], start=1):
        if rel:
            return 1.0 / rank
    return 0.0


def ndcg_at_k(relevant: Sequence[bool], k: int, total_relevant: int | None = None) -> float:
    """Normalised discounted cumulative gain with binary relevance.

    The ideal ranking puts `total_relevant` relevant items first (all relevant items in the
    corpus when the caller knows them; otherwise those in the list). 0.0 when nothing is relevant.
    """
    dcg = sum(1.0 / math.log2(rank + 1) for rank, rel in enumerate(relevant[:k], start=1) if rel)
    ideal_count = sum(relevant) if total_relevant is None else total_relevant
    ideal_count = min(max(ideal_count, sum(relevant[:k])), k)
    if ideal_count == 0:
        return 0.0
    idcg = sum(1.0 / math.log2(rank + 1) for rank in range(1, ideal_count + 1))
    return dcg / idcg


def answer_text(answer: str) -> str:
    """The answer without its citation markers, which could otherwise split a figure."""
    return CITATION_MARKER.sub("", answer)


def answer_correct(answer: str, refused: bool, must_contain: Sequence[str]) -> bool:
    """An answerable question is answered correctly when not refused and every expected string is
    in the answer; an unanswerable one (no expected strings) only when it is refused."""
    if not must_contain:
        return refused
    text = answer_text(answer)
    return not refused and all(s in text for s in must_contain)


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0-100) by linear interpolation between closest ranks; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    low = math.floor(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


@dataclass(frozen=True)
class QuestionResult:
    """What one question scored; the inputs of every aggregate.

    `retrieved` is the relevance of each retrieved chunk, best first; `cited` the relevance of each
    cited passage. Retrieval and citation fields only count for answerable questions. A chit-chat
    question (a greeting, "what can you do", an out-of-domain request) is about no report: it is
    neither answerable nor unanswerable, and is right when nothing is cited.
    `first_cited_right_report` is whether the first cited passage comes from the question's report
    (None when nothing is cited); `top_hit_right_report` the same for the first retrieved passage.
    """

    answerable: bool
    correct: bool
    refused: bool
    retrieved: tuple[bool, ...]
    total_relevant: int
    cited: tuple[bool, ...]
    latency_ms: float
    chitchat: bool = False
    first_cited_right_report: bool | None = None
    top_hit_right_report: bool | None = None


def _mean(values: Iterable[float]) -> float | None:
    items = list(values)
    return sum(items) / len(items) if items else None


def summarise(results: Sequence[QuestionResult]) -> dict[str, Any]:
    """Every metric over a group of questions; a metric with no question to count is None."""
    answerable = [r for r in results if r.answerable and not r.chitchat]
    unanswerable = [r for r in results if not r.answerable and not r.chitchat]
    chitchat = [r for r in results if r.chitchat]
    cited = [rel for r in answerable for rel in r.cited]
    latencies = [r.latency_ms for r in results]
    summary: dict[str, Any] = {
        "questions": len(results),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "chitchat": len(chitchat),
        "accuracy": _mean(float(r.correct) for r in results),
        "answerable_accuracy": _mean(float(r.correct) for r in answerable),
    }
    for k in (1, 3, 5):
        summary[f"hit@{k}"] = _mean(hit_at_k(r.retrieved, k) for r in answerable)
    summary["mrr@10"] = _mean(reciprocal_rank(r.retrieved, 10) for r in answerable)
    summary["ndcg@10"] = _mean(ndcg_at_k(r.retrieved, 10, r.total_relevant) for r in answerable)
    # Pooled over every cited passage of the answerable questions: a long citation list with one
    # good passage counts as mostly noise, which is what a reader checking the sources sees.
    summary["citation_precision"] = sum(cited) / len(cited) if cited else None
    summary["citation_recall"] = _mean(float(any(r.cited)) for r in answerable)
    summary["unanswerable_refused"] = _mean(float(r.refused) for r in unanswerable)
    summary["answerable_refused"] = _mean(float(r.refused) for r in answerable)
    # Of the answerable questions that were answered with a citation: does the first cited
    # passage come from the report the question is about? (Routing in a many-report index.)
    summary["first_citation_right_report"] = _mean(
        float(r.first_cited_right_report)
        for r in answerable
        if r.first_cited_right_report is not None
    )
    summary["top1_right_report"] = _mean(
        float(r.top_hit_right_report) for r in answerable if r.top_hit_right_report is not None
    )
    summary["chitchat_uncited"] = _mean(float(not r.cited) for r in chitchat)
    summary["latency_p50_ms"] = percentile(latencies, 50)
    summary["latency_p95_ms"] = percentile(latencies, 95)
    return summary


def summarise_by(
    results: Sequence[QuestionResult], keys: Sequence[str]
) -> dict[str, dict[str, Any]]:
    """`summarise` for each group of questions sharing a key (type, report), in key order."""
    groups: dict[str, list[QuestionResult]] = {}
    for key, result in zip(keys, results, strict=True):
        groups.setdefault(key, []).append(result)
    return {key: summarise(groups[key]) for key in sorted(groups)}


def format_value(name: str, value: float | int | None) -> str:
    """A metric as a table cell: rates to three decimals, times to whole milliseconds."""
    if value is None:
        return "–"
    if name.startswith("latency"):
        return f"{value:.0f}"
    if isinstance(value, int):
        return str(value)
    return f"{value:.3f}"


def metric_table(
    rows: Mapping[str, Mapping[str, Any]],
    columns: Sequence[str],
    first: str = "",
    fmt: Callable[[str, Any], str] = format_value,
) -> str:
    """A Markdown table with one row per entry of `rows` and the given metric columns."""
    lines = [
        "| " + " | ".join([first, *columns]) + " |",
        "|" + "---|" * (len(columns) + 1),
    ]
    for name, row in rows.items():
        lines.append("| " + " | ".join([name, *(fmt(c, row.get(c)) for c in columns)]) + " |")
    return "\n".join(lines)
