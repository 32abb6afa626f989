"""Refusal decisions and their reasons: which sentences pass every evidence check, and, when none
answers, which reason the refusal gives."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from reportqa.answer.evidence import CHECKS, Check, with_target_lead
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


class SentenceChecks:
    """The evidence checks of one question's candidate sentences, each run at most once.

    Screening stops at a sentence's first failed check; the learned decision, the answer's
    `--json` and a refusal's reason need all of them. Checks already run are kept, so a sentence
    is cut (with its target lead-in) once and no check runs twice for the same question."""

    def __init__(
        self, facts: QuestionFacts, texts: Mapping[str, str], reports: Mapping[str, ReportInfo]
    ) -> None:
        self.facts = facts
        self._texts = texts
        self._reports = reports
        self._done: dict[tuple[str, int, int, str], tuple[str, list[Check]]] = {}

    def _entry(self, cand: Candidate) -> tuple[str, list[Check]]:
        chunk = cand.hit.chunk
        key = (chunk.report, cand.start, cand.end, chunk.section)
        entry = self._done.get(key)
        if entry is None:
            # checked with the lead-in of a list of targets it belongs to ("主要预期目标是：…；")
            entry = (with_target_lead(self._texts[chunk.report], cand.start, cand.end), [])
            self._done[key] = entry
        return entry

    def sentence(self, cand: Candidate) -> str:
        """The sentence as the checks read it: with its target lead-in, if any."""
        return self._entry(cand)[0]

    def _run(self, cand: Candidate, stop_at_failure: bool) -> list[Check]:
        sentence, done = self._entry(cand)
        if stop_at_failure and any(not c.passed for c in done):
            return done
        chunk = cand.hit.chunk
        report = self._reports[chunk.report]
        for check in CHECKS[len(done) :]:
            done.append(check(self.facts, sentence, chunk.section, report))
            if stop_at_failure and not done[-1].passed:
                break
        return done

    def first_failure(self, cand: Candidate) -> Check | None:
        """The first check this sentence fails, or None; stops there (most sentences fail
        early)."""
        return next((c for c in self._run(cand, True) if not c.passed), None)

    def all(self, cand: Candidate) -> list[Check]:
        """Every evidence check of the sentence, in order."""
        return list(self._run(cand, False))


def sentence_checks(
    cand: Candidate,
    facts: QuestionFacts,
    texts: Mapping[str, str],
    reports: Mapping[str, ReportInfo],
) -> list[Check]:
    """Every evidence check of a candidate sentence, in order."""
    return SentenceChecks(facts, texts, reports).all(cand)


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
    checks: SentenceChecks | None = None,
) -> Screened:
    """The sentences that may answer, and the few closest that may not (to name the reason).
    `checks` keeps what was checked for the later steps of the same question."""
    checks = checks or SentenceChecks(facts, texts, reports)
    failed: list[Candidate] = []
    usable: list[Candidate] = []
    for cand in ranked:
        if checks.first_failure(cand) is None:
            usable.append(cand)
        elif len(failed) < REFUSAL_CANDIDATES and cand.coverage >= settings.semantic_min_coverage:
            failed.append(cand)
    return Screened(usable, failed)


def closest_failure(failed: list[Candidate], checks: SentenceChecks) -> list[Check]:
    """The checks of the sentence that came closest (fewest failed checks, then the one that got
    furthest through them in order, then the best score): it gives the real reason, so
    "2026年…实际完成" is refused for giving only a target, not for a 2025 sentence."""
    verdicts = [checks.all(cand) for cand in failed]
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
