"""The evaluation runner: every question through the chat's answer path, scored and recorded.

Each question is answered by an answer function (by default `Engine.ask`, the path the chat and
`reportqa ask` use) and retrieved once more at depth `retrieve_k` for the ranking metrics. The
answer step is a parameter so that another answerer (e.g. a language-model generator) is scored by
exactly the same code.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from tqdm import tqdm

from reportqa.engine import Engine
from reportqa.errors import InputError, ReportQAError
from reportqa.evaluation.metrics import QuestionResult, answer_correct, holds_evidence
from reportqa.evaluation.record import (
    RETRIEVE_K,
    CitedPassage,
    EvalQuestion,
    EvalRecord,
    EvalRun,
    RetrievedPassage,
)
from reportqa.evaluation.report import render_report, write_chart
from reportqa.records import Answer, Chunk, Hit
from reportqa.search.retrieve import Mode

AnswerFn = Callable[[str, int, Mode], Answer]


def load_questions(path: Path, split: str | None = None) -> list[EvalQuestion]:
    """The question set, one JSON object a line; a malformed line is an InputError naming it.

    Each question is tagged with its split: `split`, or the file's stem (eval/dev.jsonl -> dev).
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Cannot read the question set {path}: {exc}") from exc
    questions = []
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            if not isinstance(data, dict) or "id" not in data or "question" not in data:
                raise ValueError('each line needs an object with "id" and "question"')
            questions.append(EvalQuestion.from_dict(data, split or path.stem))
        except (ValueError, TypeError) as exc:
            raise InputError(f"{path} line {line_no}: {exc}") from exc
    if not questions:
        raise InputError(f"The question set {path} holds no questions.")
    return questions


def partition_by_index(
    questions: Sequence[EvalQuestion], indexed: Iterable[str]
) -> tuple[list[EvalQuestion], list[EvalQuestion]]:
    """The questions the index can be asked (their report is indexed, or they name none: chit-chat
    and question sets without reports) and the ones it cannot (their report is missing): a
    seeds-only index skips corpus questions."""
    ids = set(indexed)

    def askable(q: EvalQuestion) -> bool:
        return not q.report_id or q.report_id in ids

    return [q for q in questions if askable(q)], [q for q in questions if not askable(q)]


def is_relevant(chunk: Chunk, q: EvalQuestion) -> bool:
    """A chunk of the question's own report holding its gold evidence."""
    return chunk.report == q.report_id and holds_evidence(chunk.text, q.gold_spans)


def classify(
    q: EvalQuestion, correct: bool, refused: bool, evidence_seen: bool, error: str | None
) -> str | None:
    """The kind of failure (see FAILURE_KINDS), or None for a correct answer."""
    if error is not None:
        return "error"
    if correct:
        return None
    if q.chitchat:
        return "cited_chitchat"
    if not q.answerable:
        return "missed_refusal"
    if not evidence_seen:
        return "retrieval_miss"
    return "wrong_refusal" if refused else "wrong_sentence"


def engine_answer_fn(engine: Engine) -> AnswerFn:
    """The chat's own answer path."""

    def answer(question: str, top_k: int, mode: Mode) -> Answer:
        return engine.ask(question, top_k=top_k, mode=mode)

    return answer


def evaluate_question(
    engine: Engine, q: EvalQuestion, mode: Mode, top_k: int, answer_fn: AnswerFn
) -> EvalRecord:
    """Answer, retrieve and score one question; errors are recorded, not raised."""
    total_relevant = sum(is_relevant(c, q) for c in engine.chunks) if q.answerable else 0
    error: str | None = None
    answer: Answer | None = None
    hits: list[Hit] = []
    started = time.perf_counter()
    try:
        answer = answer_fn(q.question, top_k, mode)
        latency_ms = (time.perf_counter() - started) * 1000
        hits = engine.retrieve(q.question, top_k=RETRIEVE_K, mode=mode)
    except ReportQAError as exc:
        latency_ms = (time.perf_counter() - started) * 1000
        error = str(exc)
    relevant = tuple(is_relevant(h.chunk, q) for h in hits)
    citations = answer.citations if answer else []
    cited = tuple(
        c.report == q.report_id and holds_evidence(c.text, q.gold_spans) for c in citations
    )
    # The answer step may see fewer passages than the ranking metrics look at.
    seen = answer.hits if answer and answer.hits else hits[:top_k]
    evidence_seen = any(is_relevant(h.chunk, q) for h in seen)
    text = answer.answer if answer else ""
    refused = bool(answer and answer.refused)
    if q.chitchat:
        # Right when nothing is cited: a help text or a polite refusal, never a passage.
        correct = error is None and not citations
    else:
        correct = error is None and answer_correct(text, refused, q.must_contain)
    first_cited = citations[0].report if citations else None
    result = QuestionResult(
        answerable=q.answerable,
        correct=correct,
        refused=refused,
        retrieved=relevant,
        total_relevant=total_relevant,
        cited=cited,
        latency_ms=latency_ms,
        chitchat=q.chitchat,
        first_cited_right_report=None if first_cited is None else first_cited == q.report_id,
        top_hit_right_report=hits[0].chunk.report == q.report_id if hits else None,
    )
    return EvalRecord(
        mode=mode,
        question=q,
        result=result,
        answer=text,
        failure=classify(q, correct, refused, evidence_seen, error),
        error=error,
        evidence_seen=evidence_seen,
        citations=tuple(CitedPassage(c, rel) for c, rel in zip(citations, cited, strict=True)),
        retrieved=tuple(
            RetrievedPassage.of(i, h, rel)
            for i, (h, rel) in enumerate(zip(hits, relevant, strict=True), 1)
        ),
        # as the answer's JSON gives them
        timings_ms={k: round(v, 2) for k, v in answer.timings_ms.items()} if answer else {},
        generator=answer.generator if answer else None,
        verified=answer.verified if answer else None,
        problems=tuple(answer.problems) if answer else (),
    )


def run_eval(
    engine: Engine,
    questions: Sequence[EvalQuestion],
    mode: Mode = "hybrid",
    top_k: int = 5,
    answer_fn: AnswerFn | None = None,
    progress: bool = True,
) -> EvalRun:
    """Every question through `answer_fn` (default: the chat's `engine.ask`) with one mode."""
    answer_fn = answer_fn or engine_answer_fn(engine)
    run = EvalRun(mode=mode, top_k=top_k)
    bar = tqdm(questions, desc=f"eval {mode}", unit="q", file=sys.stderr, disable=not progress)
    for q in bar:
        run.records.append(evaluate_question(engine, q, mode, top_k, answer_fn))
    return run


def summary_document(runs: Sequence[EvalRun], context: dict[str, Any]) -> dict[str, Any]:
    """What summary.json holds: the run context and one summary per retriever mode."""
    return {**context, "runs": {run.mode: run.summary() for run in runs}}


def write_outputs(
    runs: Sequence[EvalRun], out_dir: Path, context: dict[str, Any]
) -> dict[str, Path]:
    """Write summary.json, answers.jsonl, report.md and metrics.png into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = summary_document(runs, context)
    paths = {
        "summary": out_dir / "summary.json",
        "answers": out_dir / "answers.jsonl",
        "report": out_dir / "report.md",
        "chart": out_dir / "metrics.png",
    }
    paths["summary"].write_text(
        json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    with paths["answers"].open("w", encoding="utf-8") as f:
        for run in runs:
            for record in run.records:
                f.write(json.dumps(record.to_json(), ensure_ascii=False) + "\n")
    paths["report"].write_text(render_report(summary, runs), encoding="utf-8")
    write_chart(summary, paths["chart"])
    return paths
