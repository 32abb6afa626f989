"""Plain data records shared by every stage: chunks, reports, citations and answers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

# How an answer names its n-th citation: "[n]", the form every answer is written in (a generated
# answer is rewritten to it); the evaluation strips it and the chat turns it into a link.
CITATION_MARKER = re.compile(r"\[(\d+)\]")
# The forms a language model may write instead: full-width brackets, ［1］ and 【1】.
CITATION_MARKER_ANY_FORM = re.compile(r"[\[［【](\d{1,3})[\]］】]")


@dataclass(frozen=True)
class Chunk:
    """A run of consecutive sentences inside one section of one report.

    `report_text[start:end] == text` always holds; `section` is the heading path joined by " > ".
    """

    report: str
    section: str
    start: int
    end: int
    text: str
    page: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Chunk:
        return cls(**data)


@dataclass(frozen=True)
class ReportInfo:
    """What routing and the answer step know of a report (from its metadata): the places and
    years it is about, and its kind (政府工作报告 or a yearly report)."""

    title: str
    places: tuple[str, ...]
    years: tuple[int, ...]
    kind: str = ""

    @property
    def delivered(self) -> int | None:
        """The year the report was written in: a 政府工作报告 of year N is delivered in N and says
        今年 for N; a yearly report on year N is written in N+1."""
        if not self.years:
            return None
        return max(self.years) if "政府工作报告" in self.kind else max(self.years) + 1


@dataclass(frozen=True)
class Hit:
    """A retrieved chunk with its fused score and its position in the index."""

    chunk_id: int
    chunk: Chunk
    score: float


@dataclass(frozen=True)
class Citation:
    """A cited passage: `text == report_text[start:end]`; `highlights` are the quoted sentences."""

    n: int
    report: str
    title: str
    section: str
    start: int
    end: int
    text: str
    score: float
    page: int | None = None
    highlights: tuple[tuple[int, int], ...] = ()

    @classmethod
    def of(
        cls, n: int, hit: Hit, title: str, highlights: tuple[tuple[int, int], ...] = ()
    ) -> Citation:
        """Citation number `n` of a retrieved passage, from the report titled `title`."""
        chunk = hit.chunk
        return cls(
            n=n,
            report=chunk.report,
            title=title,
            section=chunk.section,
            start=chunk.start,
            end=chunk.end,
            text=chunk.text,
            score=round(hit.score, 6),
            page=chunk.page,
            highlights=highlights,
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (`--json`, the REST API, answers.jsonl, the browser-kept conversation)."""
        data = asdict(self)
        data["highlights"] = [list(span) for span in self.highlights]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Citation:
        """A citation from its JSON form; KeyError, TypeError or ValueError when it is not one
        (other keys, such as an evaluation's "relevant", are ignored)."""
        page = data.get("page")
        return cls(
            n=int(data["n"]),
            report=str(data["report"]),
            title=str(data["title"]),
            section=str(data.get("section") or ""),
            start=int(data["start"]),
            end=int(data["end"]),
            text=str(data["text"]),
            score=float(data.get("score") or 0.0),
            page=None if page is None else int(page),
            highlights=tuple((int(s), int(e)) for s, e in data.get("highlights") or ()),
        )


@dataclass
class Answer:
    question: str
    answer: str
    refused: bool
    citations: list[Citation]
    timings_ms: dict[str, float] = field(default_factory=dict)
    # Every passage the answer step saw, best first; not part of the JSON output.
    hits: list[Hit] = field(default_factory=list, repr=False)
    # Set only when a language model was asked (see reportqa.generate.checked); absent from the
    # extractive JSON so that its format does not change.
    generator: str | None = None
    verified: bool | None = None
    problems: list[str] = field(default_factory=list)
    notice: str | None = None
    # The evidence checks of the chosen sentence (or of the best one refused), so that a refusal
    # can be explained: [{"check", "passed", "reason"?}].
    checks: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "citations": [c.to_dict() for c in self.citations],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
            "checks": list(self.checks),
        } | (
            {
                "generator": self.generator,
                "verified": self.verified,
                "problems": list(self.problems),
                "notice": self.notice,
            }
            if self.generator
            else {}
        )
