"""Refusal decisions and their reasons: which sentences pass every evidence check, and, when none
answers, which reason the refusal gives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reportqa.answer.evidence import Check, first_failure, run_checks, with_target_lead
from reportqa.answer.question import QuestionFacts
from reportqa.answer.scoring import Candidate
from reportqa.answer.settings import AnswerSettings
from reportqa.records import Answer, ReportInfo

# How many of the closest failing sentences are weighed to name a refusal's reason.
REFUSAL_CANDIDATES = 5

NOTHING_FOUND = "报告中没有找到相关内容"
NOTHING_MATCHING = "报告中没有找到与问题相符的内容"


def refusal(question: str, reason: str, checks: list[Check] | None = None) -> Answer:
    """The answer that says the reports do not answer, and why."""
    return Answer(
        question=question,
        answer=f"根据已收录的报告，无法回答这个问题：{reason}。",
        refused=True,
        citations=[],
        checks=[c.to_dict() for c in checks or []],
    )


def sentence_checks(
    cand: Candidate,
    facts: QuestionFacts,
    texts: Mapping[str, str],
    reports: Mapping[str, ReportInfo],
) -> list[Check]:
    """Every evidence check of a candidate sentence, in order."""
    chunk = cand.hit.chunk
    sentence = with_target_lead(texts[chunk.report], cand.start, cand.end)
    return run_checks(facts, sentence, chunk.section, reports[chunk.report])


@dataclass(frozen=True)
class Screened:
    usable: list[Candidate]  # the sentences that pass every check, best first
    failed: list[Candidate]  # the closest sentences that failed a check, best first


def screen(
    ranked: list[Candidate],
    facts: QuestionFacts,
    texts: Mapping[str, str],
    reports: Mapping[str, ReportInfo],
    settings: AnswerSettings,
) -> Screened:
    """The sentences that may answer, and the few closest that may not (to name the reason)."""
    failed: list[Candidate] = []
    usable: list[Candidate] = []
    for cand in ranked:
        # checked with the lead-in of a list of targets it belongs to ("主要预期目标是：…；")
        sentence = with_target_lead(texts[cand.hit.chunk.report], cand.start, cand.end)
        chunk = cand.hit.chunk
        if first_failure(facts, sentence, chunk.section, reports[chunk.report]) is None:
            usable.append(cand)
        elif len(failed) < REFUSAL_CANDIDATES and cand.coverage >= settings.semantic_min_coverage:
            failed.append(cand)
    return Screened(usable, failed)


def closest_failure(
    failed: list[Candidate],
    facts: QuestionFacts,
    texts: Mapping[str, str],
    reports: Mapping[str, ReportInfo],
) -> list[Check]:
    """The checks of the sentence that came closest (fewest failed checks, then the one that got
    furthest through them in order, then the best score): it gives the real reason, so
    "2026年…实际完成" is refused for giving only a target, not for a 2025 sentence."""
    verdicts = [sentence_checks(cand, facts, texts, reports) for cand in failed]
    return min(
        verdicts,
        key=lambda v: (
            sum(not c.passed for c in v),
            -next(i for i, c in enumerate(v) if not c.passed),  # got further down the list
        ),
    )


def refused_for(question: str, checks: list[Check]) -> Answer:
    """A refusal giving the first failed check's reason, with every check."""
    return refusal(question, next(c.reason for c in checks if not c.passed), checks)
