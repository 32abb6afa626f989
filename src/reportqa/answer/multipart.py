"""Questions that ask two things at once ("四川2025年地区生产总值是多少？2026年增长目标是多少？").

Each part is answered on its own, so that each is held to its own year and its own kind of figure
(a 2025 result, a 2026 target); a later part that leaves out the subject borrows it from the first
part. Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import replace

from reportqa import rules
from reportqa.answer.question import find_places
from reportqa.lang import zh
from reportqa.records import CITATION_MARKER, Answer, Citation

# A part ends at a question mark; "？" inside quotes does not occur in questions.
_PART_END = re.compile(r"(?<=[？?])")
MAX_PARTS = 3
_ASKED = re.compile(zh.ASK.pattern + "[" + zh.COUNTERS + "]?")


def split_parts(question: str) -> list[str]:
    """The questions asked one after another, each standing alone; [question] when it asks one."""
    if not rules.on("two_questions"):
        return [question]
    parts = [p.strip() for p in _PART_END.split(question.strip()) if p.strip()]
    if not 2 <= len(parts) <= MAX_PARTS or not all(zh.ASK.search(p) for p in parts):
        return [question]
    first = parts[0]
    # the first part without its ask: "…制定了几件…文件？" -> "…制定了…文件"
    topic = _ASKED.sub("", first).rstrip("？?。 ")
    rest: list[str] = [first]
    for part in parts[1:]:
        # what the later part names itself (its years, its places) replaces the first part's
        borrowed = topic
        if zh.years_in(part) or zh.RELATIVE_YEAR.search(part):
            borrowed = zh.RELATIVE_YEAR.sub("", zh.YEAR_WITH_SUFFIX.sub("", borrowed))
        if find_places(part):
            for place in find_places(borrowed):
                borrowed = borrowed.replace(place, "")
        borrowed = borrowed.strip("，, ")
        rest.append(f"{borrowed}，{part}" if borrowed else part)
    return rest


def merge(question: str, answers: list[Answer]) -> Answer:
    """One answer from the answers to the parts: the parts answered, their citations numbered
    anew; refused only when every part is."""
    answered = [a for a in answers if not a.refused]
    if not answered:
        first = answers[0]
        return Answer(
            question=question,
            answer=first.answer,
            refused=True,
            citations=[],
            checks=first.checks,
        )
    citations: list[Citation] = []
    texts: list[str] = []
    for part in answered:
        renumber: dict[int, int] = {}
        for c in part.citations:
            same = next(
                (k for k in citations if (k.report, k.start, k.end) == (c.report, c.start, c.end)),
                None,
            )
            if same is None:
                same = replace(c, n=len(citations) + 1)
                citations.append(same)
            else:
                extra = tuple(h for h in c.highlights if h not in same.highlights)
                merged = replace(same, highlights=same.highlights + extra)
                citations[citations.index(same)] = merged
                same = merged
            renumber[c.n] = same.n
        texts.append(_renumbered(part.answer, renumber))
    refused_parts = [a for a in answers if a.refused]
    text = "".join(texts)
    if refused_parts:
        text += refused_parts[0].answer
    checks = [c for a in answers for c in (a.checks or [])]
    return Answer(question=question, answer=text, refused=False, citations=citations, checks=checks)


def _renumbered(text: str, numbers: dict[int, int]) -> str:
    """An answer's citation markers [k] under their new numbers."""
    return CITATION_MARKER.sub(lambda m: f"[{numbers.get(int(m.group(1)), int(m.group(1)))}]", text)
