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
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from reportqa.engine import Engine
from reportqa.errors import InputError, ReportQAError
from reportqa.evaluation.metrics import (
    QuestionResult,
    answer_correct,
    holds_evidence,
    summarise,
    summarise_by,
)
from reportqa.records import Answer, Chunk, Hit
from reportqa.search.retrieve import Mode

RETRIEVE_K = 10
SNIPPET_CHARS = 60
UNANSWERABLE_TYPE = "unanswerable"
CHITCHAT_TYPE = "chitchat"

# What went wrong with a question, worst kind first: a made-up answer misleads, a refusal only
# disappoints.
FAILURE_KINDS = (
    "missed_refusal",
    "cited_chitchat",
    "wrong_sentence",
    "retrieval_miss",
    "wrong_refusal",
    "error",
)
FAILURE_LABELS = {
    "missed_refusal": "answered an unanswerable question",
    "cited_chitchat": "chit-chat or an out-of-domain request answered with a cited passage",
    "wrong_sentence": "evidence retrieved, answer misses an expected string",
    "retrieval_miss": "evidence not among the passages given to the answer step",
    "wrong_refusal": "evidence retrieved, but refused",
    "error": "the question raised an error",
}

AnswerFn = Callable[[str, int, Mode], Answer]


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    answer: str
    must_contain: tuple[str, ...]
    gold_spans: tuple[str, ...]
    type: str
    report: str  # the report's file name, as written in the question set ("" for chit-chat)
    trap: str = ""  # for a near miss: "year", "place", "subject", "plan_vs_result", "scope"
    split: str = ""  # the question file it came from: "dev", "test", "test_corpus", ...

    @property
    def report_id(self) -> str:
        """Index report ids are file stems: "jinghu-2024-fazhi.txt" -> "jinghu-2024-fazhi"."""
        return Path(self.report).stem if self.report else ""

    @property
    def chitchat(self) -> bool:
        """Not a question about the reports: a greeting, a request for help, an unrelated task.
        Only the type says so: a question set may leave out `report` for real questions too."""
        return self.type == CHITCHAT_TYPE

    @property
    def answerable(self) -> bool:
        return bool(self.must_contain)

    @classmethod
    def from_dict(cls, data: dict[str, Any], split: str = "") -> EvalQuestion:
        return cls(
            id=str(data["id"]),
            question=str(data["question"]),
            answer=str(data.get("answer", "")),
            must_contain=tuple(data.get("must_contain", [])),
            gold_spans=tuple(data.get("gold_spans", [])),
            type=str(data.get("type", "")),
            report=str(data.get("report") or ""),
            trap=str(data.get("trap") or ""),
            split=split,
        )


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


def _hit_record(rank: int, hit: Hit, relevant: bool) -> dict[str, Any]:
    c = hit.chunk
    return {
        "rank": rank,
        "chunk_id": hit.chunk_id,
        "report": c.report,
        "section": c.section,
        "start": c.start,
        "end": c.end,
        "score": round(hit.score, 6),
        "relevant": relevant,
        "snippet": c.text[:SNIPPET_CHARS],
    }


@dataclass
class EvalRun:
    """One pass of the question set with one retriever mode."""

    mode: Mode
    top_k: int
    records: list[dict[str, Any]] = field(default_factory=list)
    results: list[QuestionResult] = field(default_factory=list)
    questions: list[EvalQuestion] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        failures = Counter(r["failure"] for r in self.records if r["failure"])
        return {
            "mode": self.mode,
            "top_k": self.top_k,
            "retrieve_k": RETRIEVE_K,
            "overall": summarise(self.results),
            "by_type": summarise_by(self.results, [q.type for q in self.questions]),
            "by_trap": _by_trap(self.results, self.questions),
            "by_report": summarise_by(self.results, [q.report_id for q in self.questions]),
            "by_split": {
                split: {
                    "overall": summarise(results),
                    "by_type": summarise_by(results, [q.type for q in questions]),
                    "by_trap": _by_trap(results, questions),
                }
                for split, (results, questions) in self._splits().items()
            },
            "failures": {kind: failures[kind] for kind in FAILURE_KINDS},
        }

    def _splits(self) -> dict[str, tuple[list[QuestionResult], list[EvalQuestion]]]:
        """Results and questions of each split, in the order the splits were given."""
        groups: dict[str, tuple[list[QuestionResult], list[EvalQuestion]]] = {}
        for result, q in zip(self.results, self.questions, strict=True):
            results, questions = groups.setdefault(q.split or "all", ([], []))
            results.append(result)
            questions.append(q)
        return groups


def _by_trap(
    results: Sequence[QuestionResult], questions: Sequence[EvalQuestion]
) -> dict[str, dict[str, Any]]:
    """`summarise` for each kind of trap (near misses only; questions without a trap are left out)."""
    pairs = [(r, q.trap) for r, q in zip(results, questions, strict=True) if q.trap]
    return summarise_by([r for r, _ in pairs], [t for _, t in pairs])


def engine_answer_fn(engine: Engine) -> AnswerFn:
    """The chat's own answer path."""

    def answer(question: str, top_k: int, mode: Mode) -> Answer:
        return engine.ask(question, top_k=top_k, mode=mode)

    return answer


def evaluate_question(
    engine: Engine, q: EvalQuestion, mode: Mode, top_k: int, answer_fn: AnswerFn
) -> tuple[dict[str, Any], QuestionResult]:
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
    data: dict[str, Any] = (
        answer.to_dict() if answer else {"answer": "", "refused": False, "citations": []}
    )
    citations = answer.citations if answer else []
    cited = tuple(
        c.report == q.report_id and holds_evidence(c.text, q.gold_spans) for c in citations
    )
    # The answer step may see fewer passages than the ranking metrics look at.
    seen = answer.hits if answer and answer.hits else hits[:top_k]
    evidence_seen = any(is_relevant(h.chunk, q) for h in seen)
    refused = bool(data["refused"])
    if q.chitchat:
        # Right when nothing is cited: a help text or a polite refusal, never a passage.
        correct = error is None and not citations
    else:
        correct = error is None and answer_correct(data["answer"], refused, q.must_contain)
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
    first = next((i for i, rel in enumerate(relevant, start=1) if rel), None)
    record = {
        "mode": mode,
        "id": q.id,
        "split": q.split,
        "type": q.type,
        "trap": q.trap or None,
        "report": q.report_id,
        "question": q.question,
        "expected": q.answer,
        "must_contain": list(q.must_contain),
        "answer": data["answer"],
        "refused": refused,
        "correct": correct,
        "failure": classify(q, correct, refused, evidence_seen, error),
        "error": error,
        "evidence_seen": evidence_seen,
        "first_relevant_rank": first,
        "relevant_chunks": total_relevant,
        "citations": [
            {**c.to_dict(), "relevant": rel} for c, rel in zip(citations, cited, strict=True)
        ],
        "retrieved": [
            _hit_record(i, h, rel) for i, (h, rel) in enumerate(zip(hits, relevant, strict=True), 1)
        ],
        "latency_ms": round(latency_ms, 2),
        "timings_ms": data.get("timings_ms", {}),
    }
    if "verified" in data:  # generated answers only; the extractive record is unchanged
        record |= {k: data[k] for k in ("generator", "verified", "problems")}
    return record, result


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
    run = EvalRun(mode=mode, top_k=top_k, questions=list(questions))
    bar = tqdm(questions, desc=f"eval {mode}", unit="q", file=sys.stderr, disable=not progress)
    for q in bar:
        record, result = evaluate_question(engine, q, mode, top_k, answer_fn)
        run.records.append(record)
        run.results.append(result)
    return run


def summary_document(runs: Sequence[EvalRun], context: dict[str, Any]) -> dict[str, Any]:
    """What summary.json holds: the run context and one summary per retriever mode."""
    return {**context, "runs": {run.mode: run.summary() for run in runs}}


def write_outputs(
    runs: Sequence[EvalRun], out_dir: Path, context: dict[str, Any]
) -> dict[str, Path]:
    """Write summary.json, answers.jsonl, report.md and metrics.png into `out_dir`."""
    from reportqa.evaluation.report import render_report, write_chart

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
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
    paths["report"].write_text(render_report(summary, runs), encoding="utf-8")
    write_chart(summary, paths["chart"])
    return paths
