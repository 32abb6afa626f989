"""The extractive answer composer: pick the sentences that answer, cite them, or refuse.

No language model: the answer is made of sentences copied from the retrieved passages, so every
figure in it is verbatim from a cited passage. Refusal is decided on the evidence, not on retrieval
scores: the chosen sentence must match the question's years, places and identifiers, cover enough
of its terms, and hold a figure when one is asked for.

The jobs are in their own modules: sentence scoring (scoring.py), refusal decisions and their
reasons (refusal.py), list enumeration (lists.py) and citation rendering (citations.py); this
module only composes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from reportqa.answer import answerability
from reportqa.answer.citations import quote
from reportqa.answer.evidence import Check
from reportqa.answer.lists import list_items
from reportqa.answer.multipart import merge, split_parts
from reportqa.answer.passages import Passages
from reportqa.answer.question import QuestionFacts, analyse
from reportqa.answer.refusal import (
    NOTHING_FOUND,
    NOTHING_MATCHING,
    SentenceChecks,
    closest_failure,
    refusal,
    refused_for,
    screen,
)
from reportqa.answer.scoring import (
    Candidate,
    Similarity,
    TermWeights,
    Weight,
    candidates,
    select,
    semantic_choice,
    union_coverage,
)
from reportqa.answer.settings import AnswerSettings
from reportqa.records import Answer


def compose_answer(
    question: str,
    facts: QuestionFacts,
    passages: Passages,
    weights: TermWeights,
    settings: AnswerSettings,
    similarity: Similarity | None = None,
) -> Answer:
    """Answer `question` (whose facts are `facts`) from the retrieved passages. `weights` give
    each term's weight; `similarity(sentences)` each sentence's semantic closeness to the
    question (without it, only keyword coverage decides). With `passages.chunks_of`, a question
    asking for a list is answered with the enumerated items of the best section."""
    if not passages.hits:
        return refusal(question, NOTHING_FOUND)
    parts = split_parts(question)
    if len(parts) > 1:  # "…是多少？…目标是多少？": each part held to its own year and kind
        return merge(
            question,
            [compose_answer(p, analyse(p), passages, weights, settings, similarity) for p in parts],
        )
    # each sentence's checks run once, whichever pass reads it
    checked = SentenceChecks(facts, passages.texts, passages.reports)
    similarity = remembering(similarity) if similarity is not None else None
    weight = weights.looked_up(facts.tokens)  # the only terms sentences are scored on
    ranked = candidates(facts, passages.hits, passages.texts, weight, settings)
    first = answer_from(question, facts, passages, ranked, weight, settings, similarity, checked)
    if not first.refused or not passages.reserve:
        return first
    # Second pass: the best passages hold no sentence that answers; read the ones ranked next
    # too. Its answer is taken only when it answers: a refusal keeps the first pass's reason.
    # The passages read first are weighed again (their sentences' scores, checks and closeness
    # in meaning are kept); of those ranked next, only sentences holding a question term: a
    # paraphrase is sought in the best passages only (semantic_from_top_hits), so no other is
    # likely to answer.
    deeper = replace(passages, hits=[*passages.hits, *passages.reserve], reserve=())
    further = candidates(
        facts, list(passages.reserve), passages.texts, weight, settings, len(passages.hits)
    )
    # a stable sort: as if all the passages had been scored at once
    ranked = sorted([*ranked, *(c for c in further if c.matched)], key=lambda c: -c.score)
    second = answer_from(question, facts, deeper, ranked, weight, settings, similarity, checked)
    if second.refused:
        return first
    second.checks.append(Check("second_pass", True, f"{len(deeper.hits)} passages").to_dict())
    second.hits = deeper.hits
    return second


def answer_from(
    question: str,
    facts: QuestionFacts,
    passages: Passages,
    ranked: list[Candidate],
    weight: Weight,
    settings: AnswerSettings,
    similarity: Similarity | None,
    checked: SentenceChecks,
) -> Answer:
    """The answer from these passages' sentences `ranked` (best first) alone: one pass;
    `compose_answer` may make a second."""
    texts, reports = passages.texts, passages.reports
    screened = screen(ranked, facts, texts, reports, settings, checked)
    usable, failed = screened.usable, screened.failed

    def answered(chosen: list[Candidate], anchor: Candidate, how: Check) -> Answer:
        """The chosen sentences quoted, with the checks of the sentence they hang on."""
        quoted = quote(chosen, texts, reports, facts, settings)
        checks = checked.all(anchor) + [how]
        return Answer(
            question=question,
            answer=quoted.text,
            refused=False,
            citations=quoted.citations,
            checks=[c.to_dict() for c in checks],
        )

    def by_rules(rule: RulesChoice) -> Answer:
        """The rules' answer, or their refusal naming the closest sentence's failed check."""
        if rule.anchor is not None:
            return answered(rule.chosen, rule.anchor, rule.how)
        if usable and not failed:
            coverage = Check("coverage", False, f"{rule.coverage:.2f} < {settings.min_coverage}")
            checks = checked.all(usable[0]) + [coverage]
            return refusal(question, NOTHING_MATCHING, checks)
        if failed:
            return refused_for(question, closest_failure(failed, checked))
        return refusal(question, NOTHING_MATCHING)

    if usable and facts.wants_list and passages.chunks_of is not None:
        listed = list_items(usable, passages.chunks_of, texts, settings)
        if listed is not None:
            anchor, items = listed
            return answered(items, anchor, Check("list", True))
    rule = rules_choice(usable, facts, texts, weight, similarity, settings)
    model = answerability.load_model()
    if model is None:
        return by_rules(rule)
    # The learned decision, the checks and the rules' choice among its features.
    weighed = answerability.pool(
        facts, ranked, usable, texts, reports, weight, rule.anchor, rule.how.name, checked
    )
    verdict = answerability.decide(model, weighed)
    if verdict.chosen is not None:
        lead = verdict.chosen is rule.anchor  # with the sentences that complete it
        return answered(rule.chosen if lead else [verdict.chosen], verdict.chosen, verdict.check)
    if rule.anchor is not None:  # the model refuses what the rules would answer
        checks = verdict.best.checks if verdict.best else []
        reason = next((c.reason for c in checks if not c.passed), NOTHING_MATCHING)
        return refusal(question, reason, [*checks, verdict.check])
    refused = by_rules(rule)  # both refuse: the rules' reason, and the model's score
    refused.checks.append(verdict.check.to_dict())
    return refused


@dataclass(frozen=True)
class RulesChoice:
    """What the rules answer with: the sentences, the one they hang on and how it was chosen (no
    anchor: the rules refuse), and the share of the question the best usable sentences cover."""

    chosen: list[Candidate]
    anchor: Candidate | None
    how: Check
    coverage: float


def rules_choice(
    usable: list[Candidate],
    facts: QuestionFacts,
    texts: Mapping[str, str],
    weight: Weight,
    similarity: Similarity | None,
    settings: AnswerSettings,
) -> RulesChoice:
    """The rules' answer from the sentences that pass every check: the best with its companions
    when they cover enough of the question, else the one closest in meaning (paraphrases)."""
    if not usable:
        return RulesChoice([], None, Check("coverage", False), 0.0)
    chosen = select(usable, weight, settings)
    covered = union_coverage(chosen, facts, weight)
    if covered >= settings.min_coverage:
        return RulesChoice(chosen, chosen[0], Check("coverage", True, f"{covered:.2f}"), covered)
    if similarity is not None:
        semantic = semantic_choice(usable, texts, similarity, settings)
        if semantic is not None:
            return RulesChoice([semantic], semantic, Check("similarity", True), covered)
    return RulesChoice([], None, Check("coverage", False), covered)


def remembering(similarity: Similarity) -> Similarity:
    """`similarity` embedding each sentence once per question, whichever pass asks."""
    known: dict[str, float] = {}

    def remembered(sentences: list[str]) -> list[float]:
        new = [s for s in dict.fromkeys(sentences) if s not in known]
        if new:
            known.update(zip(new, similarity(new), strict=True))
        return [known[s] for s in sentences]

    return remembered
