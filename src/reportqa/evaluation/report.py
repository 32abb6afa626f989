"""The human-readable side of an evaluation: the Markdown report and the chart by question type."""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from reportqa.evaluation.metrics import metric_table
from reportqa.evaluation.record import FAILURE_KINDS, FAILURE_LABELS, EvalRecord, EvalRun

WORST_FAILURES = 20
RETRIEVED_SHOWN = 3

COMPARE_COLUMNS = (
    "accuracy",
    "answerable_accuracy",
    "hit@1",
    "hit@3",
    "hit@5",
    "mrr@10",
    "ndcg@10",
    "citation_precision",
    "citation_recall",
    "unanswerable_refused",
    "answerable_refused",
    "first_citation_right_report",
    "top1_right_report",
    "chitchat_uncited",
    "latency_p50_ms",
    "latency_p95_ms",
)
GROUP_COLUMNS = ("questions", *COMPARE_COLUMNS)
# The figures to quote for a split, side by side: what a user sees, not how retrieval ranks.
SPLIT_COLUMNS = (
    "questions",
    "accuracy",
    "answerable_refused",
    "unanswerable_refused",
    "first_citation_right_report",
    "chitchat_uncited",
    "hit@1",
    "hit@5",
    "latency_p50_ms",
)

DEFINITIONS = """\
- **accuracy**: answerable questions whose answer holds every expected string and is not refused,
  plus unanswerable questions that are refused, over all questions; **answerable_accuracy** counts
  the answerable ones only.
- **hit@k, mrr@10, ndcg@10**: ranking of the retrieved chunks (answerable questions); a chunk is
  relevant when it holds a gold span or at least 15 contiguous characters of one.
- **citation_precision**: share of all cited passages (answerable questions) that are relevant;
  **citation_recall**: share of answerable questions with at least one relevant cited passage.
- **unanswerable_refused**: share of unanswerable questions refused (higher is better);
  **answerable_refused**: share of answerable questions refused (lower is better).
- **first_citation_right_report**: of the answerable questions answered with a citation, the share
  whose first cited passage comes from the question's report; **top1_right_report**: the same for
  the first retrieved passage, over all answerable questions.
- **chitchat_uncited**: share of chit-chat questions (greetings, "what can you do", out-of-domain
  requests; no report) answered without any cited passage. A chit-chat question counts as correct
  in **accuracy** when nothing is cited.
- **by trap**: near misses grouped by what makes them unanswerable (year, place, subject,
  plan_vs_result, scope).
- **latency**: wall time of one answer (retrieval and answer step), in milliseconds."""


def _one_line(text: str, limit: int = 160) -> str:
    flat = " ".join(text.split()).replace("|", "/")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def worst_failures(
    records: Sequence[EvalRecord], kinds: Sequence[str], limit: int = WORST_FAILURES
) -> list[EvalRecord]:
    """Failures taken in turn from each kind (worst kind first), so that every kind shows up
    even when one kind is common; within a kind, question order."""
    queues = [[r for r in records if r.failure == kind] for kind in kinds]
    picked: list[EvalRecord] = []
    depth = 0
    while len(picked) < limit and any(depth < len(q) for q in queues):
        for queue in queues:
            if depth < len(queue) and len(picked) < limit:
                picked.append(queue[depth])
        depth += 1
    return picked


def _failure_block(record: EvalRecord, labels: dict[str, str]) -> str:
    q = record.question
    failure = record.failure or ""
    lines = [
        f"**{q.id}** ({q.type}{', trap ' + q.trap if q.trap else ''}"
        f", {q.report_id or 'no report'}): "
        f"{labels.get(failure, failure)}",
        "",
        f"- Question: {_one_line(q.question)}",
        f"- Expected: {_one_line(q.answer)}"
        + (f" (must contain: {', '.join(q.must_contain)})" if q.must_contain else ""),
        f"- Answered: {_one_line(record.error or record.answer)}",
        "- Retrieved:",
    ]
    for hit in record.retrieved[:RETRIEVED_SHOWN]:
        mark = "✓" if hit.relevant else "✗"
        lines.append(
            f"  {hit.rank}. {mark} {hit.report} › {_one_line(hit.section, 60) or '（正文）'}"
            f": {_one_line(hit.snippet, 60)}"
        )
    rank = record.first_relevant_rank
    if q.must_contain:
        lines.append(
            f"  (first relevant chunk at rank {rank})"
            if rank
            else "  (no relevant chunk in top 10)"
        )
    return "\n".join(lines)


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def headline(split: str, mode: str, overall: dict[str, Any]) -> str:
    """One line to quote for a split: accuracy and the refusal, routing and chit-chat rates
    (a rate with no question to count is left out)."""
    parts = [f"accuracy {_pct(overall['accuracy'])}"]
    if overall["answerable"]:
        parts += [
            f"answerable refused {_pct(overall['answerable_refused'])} "
            f"(of {overall['answerable']})",
            "first citation from the right report " + _pct(overall["first_citation_right_report"]),
        ]
    if overall["unanswerable"]:
        parts.append(
            f"unanswerable refused {_pct(overall['unanswerable_refused'])} "
            f"(of {overall['unanswerable']})"
        )
    if overall["chitchat"]:
        parts.append(
            f"chit-chat without citation {_pct(overall['chitchat_uncited'])} "
            f"(of {overall['chitchat']})"
        )
    return f"{split} ({mode}, {overall['questions']} questions): " + " · ".join(parts)


def split_sections(summary: dict[str, Any]) -> list[str]:
    """Markdown: the splits side by side, then each split by type and by trap."""
    splits = summary["by_split"]
    parts = [
        "### By split",
        metric_table({name: s["overall"] for name, s in splits.items()}, SPLIT_COLUMNS, "split"),
    ]
    for name, s in splits.items():
        parts += [f"#### {name}: by type", metric_table(s["by_type"], SPLIT_COLUMNS, "type")]
        if s["by_trap"]:
            parts += [f"#### {name}: by trap", metric_table(s["by_trap"], SPLIT_COLUMNS, "trap")]
    return parts


def render_run(summary: dict[str, Any], run: EvalRun) -> str:
    failures = summary["failures"]
    parts = [
        f"## Retriever: {run.mode} (top_k={run.top_k})",
        "\n".join(
            f"- {headline(name, run.mode, s['overall'])}" for name, s in summary["by_split"].items()
        ),
        *split_sections(summary),
        "### Overall (all splits together)",
        metric_table({"all": summary["overall"]}, GROUP_COLUMNS),
        "### By type",
        metric_table(summary["by_type"], GROUP_COLUMNS, "type"),
        "### By trap",
        metric_table(summary["by_trap"], GROUP_COLUMNS, "trap") if summary["by_trap"] else "None.",
        "### By report",
        metric_table(summary["by_report"], GROUP_COLUMNS, "report"),
        "### Failures by kind",
        "| kind | meaning | questions |\n|---|---|---|\n"
        + "\n".join(f"| {k} | {FAILURE_LABELS[k]} | {failures.get(k, 0)} |" for k in FAILURE_KINDS),
        f"### Worst failures (up to {WORST_FAILURES}, each kind in turn)",
    ]
    picked = worst_failures(run.records, FAILURE_KINDS)
    parts.extend(_failure_block(r, FAILURE_LABELS) for r in picked)
    if not picked:
        parts.append("None.")
    return "\n\n".join(parts)


def render_report(summary: dict[str, Any], runs: Sequence[EvalRun]) -> str:
    """report.md: context, definitions, a comparison of retrievers, then each run in detail."""
    context = [
        f"- {key}: {value}" for key, value in summary.items() if key != "runs" and value is not None
    ]
    parts = ["# Evaluation report", "\n".join(context), "## Metrics", DEFINITIONS]
    if len(runs) > 1:
        overall = {mode: run["overall"] for mode, run in summary["runs"].items()}
        parts += ["## Retrievers compared", metric_table(overall, COMPARE_COLUMNS, "retriever")]
    parts += [render_run(summary["runs"][run.mode], run) for run in runs]
    return "\n\n".join(parts) + "\n"


def _cjk_font() -> str | None:
    """A font that draws Chinese, if the machine has one; matplotlib's default does not."""
    from matplotlib import font_manager

    wanted = (
        "CJK",
        "WenQuanYi",
        "Hei",
        "Song",
        "Noto Sans SC",
        "Source Han",
        "PingFang",
        "Droid Sans Fallback",
    )
    for font in font_manager.fontManager.ttflist:
        if any(w in font.name for w in wanted):
            return str(font.name)
    return None


def _or_nan(value: float | None) -> float:
    return math.nan if value is None else float(value)


def chart_series(
    by_type: dict[str, dict[str, Any]], overall: dict[str, Any]
) -> tuple[list[str], dict[str, list[float]]]:
    """Bar heights per question type (and "all"): accuracy, hit@5 and the share refused.

    The refused share of a type is whichever refusal rate applies to it; a metric that does not
    apply (hit@5 of unanswerable questions) is NaN, so no bar is drawn for it.
    """
    groups = {**by_type, "all": overall}

    def refused(row: dict[str, Any]) -> float:
        n = row["questions"] or 1
        a = (row["answerable_refused"] or 0.0) * row["answerable"]
        u = (row["unanswerable_refused"] or 0.0) * row["unanswerable"]
        return (a + u) / n

    return list(groups), {
        "accuracy": [_or_nan(row["accuracy"]) for row in groups.values()],
        "hit@5": [_or_nan(row["hit@5"]) for row in groups.values()],
        "refused": [refused(row) for row in groups.values()],
    }


def write_chart(summary: dict[str, Any], path: Path) -> None:
    """metrics.png: one panel per retriever mode, grouped bars by question type."""
    import matplotlib

    matplotlib.use("Agg")  # no display on servers and in CI
    import matplotlib.pyplot as plt

    font = _cjk_font()
    if font:
        plt.rcParams["font.sans-serif"] = [font, *plt.rcParams["font.sans-serif"]]
        plt.rcParams["axes.unicode_minus"] = False
    labels = (
        {"accuracy": "准确率 accuracy", "hit@5": "命中 hit@5", "refused": "拒答 refused"}
        if font
        else {"accuracy": "accuracy", "hit@5": "hit@5", "refused": "refused (share)"}
    )
    runs = summary["runs"]
    fig, axes = plt.subplots(len(runs), 1, figsize=(10, 3.6 * len(runs)), squeeze=False)
    width = 0.27
    for ax, (mode, run) in zip(axes[:, 0], runs.items(), strict=True):
        groups, series = chart_series(run["by_type"], run["overall"])
        for i, key in enumerate(("accuracy", "hit@5", "refused")):
            xs = [g + (i - 1) * width for g in range(len(groups))]
            bars = ax.bar(xs, series[key], width, label=labels[key])
            texts = ["" if math.isnan(v) else f"{v:.2f}" for v in series[key]]
            ax.bar_label(bars, labels=texts, fontsize=7, padding=1)
        ax.set_xticks(range(len(groups)), [str(g) for g in groups])
        ax.set_ylim(0, 1.3)  # room for the legend above the bars
        ax.set_title(f"{mode}: by question type (n={run['overall']['questions']})")
        ax.legend(loc="upper center", fontsize=8, ncols=3, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
