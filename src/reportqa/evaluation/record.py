"""The records of an evaluation: a question of the set, what one evaluated question produced, and
one pass of the set with one retriever mode.

Typed from the runner to the metrics and the report; JSON only at the file edge (`to_json`), whose
keys stay those of earlier `answers.jsonl` files so that outputs of different runs compare.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportqa.evaluation.metrics import QuestionResult, summarise, summarise_by
from reportqa.records import Citation, Hit
from reportqa.search.retrieve import Mode

RETRIEVE_K = 10
SNIPPET_CHARS = 60
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


@dataclass(frozen=True)
class RetrievedPassage:
    """One passage of the ranking the metrics look at (depth RETRIEVE_K), with its relevance."""

    rank: int
    chunk_id: int
    report: str
    section: str
    start: int
    end: int
    score: float
    relevant: bool
    snippet: str

    @classmethod
    def of(cls, rank: int, hit: Hit, relevant: bool) -> RetrievedPassage:
        c = hit.chunk
        return cls(
            rank=rank,
            chunk_id=hit.chunk_id,
            report=c.report,
            section=c.section,
            start=c.start,
            end=c.end,
            score=round(hit.score, 6),
            relevant=relevant,
            snippet=c.text[:SNIPPET_CHARS],
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "chunk_id": self.chunk_id,
            "report": self.report,
            "section": self.section,
            "start": self.start,
            "end": self.end,
            "score": self.score,
            "relevant": self.relevant,
            "snippet": self.snippet,
        }


@dataclass(frozen=True)
class CitedPassage:
    """A passage the answer cited, and whether it holds the question's gold evidence."""

    citation: Citation
    relevant: bool

    def to_json(self) -> dict[str, Any]:
        return {**self.citation.to_dict(), "relevant": self.relevant}


@dataclass(frozen=True)
class EvalRecord:
    """What one question produced with one retriever mode: the answer, how it was judged, and the
    ranking behind it. One line of answers.jsonl."""

    mode: Mode
    question: EvalQuestion
    result: QuestionResult  # what the metrics count: correct, refused, relevance, latency
    answer: str
    failure: str | None  # one of FAILURE_KINDS, None when the answer is right
    error: str | None  # the message of an error the question raised
    evidence_seen: bool  # the answer step was given a passage holding the gold evidence
    citations: tuple[CitedPassage, ...]
    retrieved: tuple[RetrievedPassage, ...]
    timings_ms: dict[str, float] = field(default_factory=dict)
    # Set for generated answers only; the extractive record has none of these keys.
    generator: str | None = None
    verified: bool | None = None
    problems: tuple[str, ...] = ()

    @property
    def first_relevant_rank(self) -> int | None:
        return next((i for i, rel in enumerate(self.result.retrieved, start=1) if rel), None)

    def to_json(self) -> dict[str, Any]:
        q, r = self.question, self.result
        data: dict[str, Any] = {
            "mode": self.mode,
            "id": q.id,
            "split": q.split,
            "type": q.type,
            "trap": q.trap or None,
            "report": q.report_id,
            "question": q.question,
            "expected": q.answer,
            "must_contain": list(q.must_contain),
            "answer": self.answer,
            "refused": r.refused,
            "correct": r.correct,
            "failure": self.failure,
            "error": self.error,
            "evidence_seen": self.evidence_seen,
            "first_relevant_rank": self.first_relevant_rank,
            "relevant_chunks": r.total_relevant,
            "citations": [c.to_json() for c in self.citations],
            "retrieved": [r.to_json() for r in self.retrieved],
            "latency_ms": round(r.latency_ms, 2),
            "timings_ms": dict(self.timings_ms),
        }
        if self.generator:
            data |= {
                "generator": self.generator,
                "verified": self.verified,
                "problems": list(self.problems),
            }
        return data


@dataclass
class EvalRun:
    """One pass of the question set with one retriever mode."""

    mode: Mode
    top_k: int
    records: list[EvalRecord] = field(default_factory=list)

    @property
    def results(self) -> list[QuestionResult]:
        return [r.result for r in self.records]

    @property
    def questions(self) -> list[EvalQuestion]:
        return [r.question for r in self.records]

    def summary(self) -> dict[str, Any]:
        failures = Counter(r.failure for r in self.records if r.failure)
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
        for record in self.records:
            results, questions = groups.setdefault(record.question.split or "all", ([], []))
            results.append(record.result)
            questions.append(record.question)
        return groups


def _by_trap(
    results: Sequence[QuestionResult], questions: Sequence[EvalQuestion]
) -> dict[str, dict[str, Any]]:
    """`summarise` for each kind of trap (near misses only; questions without a trap are left out)."""
    pairs = [(r, q.trap) for r, q in zip(results, questions, strict=True) if q.trap]
    return summarise_by([r for r, _ in pairs], [t for _, t in pairs])
