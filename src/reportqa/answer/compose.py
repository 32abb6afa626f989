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

from reportqa.answer.citations import quote
from reportqa.answer.evidence import Check
from reportqa.answer.lists import list_items
from reportqa.answer.multipart import merge, split_parts
from reportqa.answer.passages import Passages
from reportqa.answer.question import QuestionFacts, analyse
from reportqa.answer.refusal import (
    NOTHING_FOUND,
    NOTHING_MATCHING,
    closest_failure,
    refusal,
    refused_for,
    screen,
    sentence_checks,
)
from reportqa.answer.scoring import (
    Candidate,
    Similarity,
    TermWeights,
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
    texts, reports = passages.texts, passages.reports
    weight = weights.looked_up(facts.tokens)  # the only terms sentences are scored on
    ranked = candidates(facts, passages.hits, texts, weight, settings)
    screened = screen(ranked, facts, texts, reports, settings)
    usable, failed = screened.usable, screened.failed

    def answered(chosen: list[Candidate], anchor: Candidate, how: Check) -> Answer:
        """The chosen sentences quoted, with the checks of the sentence they hang on."""
        quoted = quote(chosen, texts, reports, facts, settings)
        checks = sentence_checks(anchor, facts, texts, reports) + [how]
        return Answer(
            question=question,
            answer=quoted.text,
            refused=False,
            citations=quoted.citations,
            checks=[c.to_dict() for c in checks],
        )

    if usable and facts.wants_list and passages.chunks_of is not None:
        listed = list_items(usable, passages.chunks_of, texts, settings)
        if listed is not None:
            anchor, items = listed
            return answered(items, anchor, Check("list", True))
    if usable:
        chosen = select(usable, weight, settings)
        covered = union_coverage(chosen, facts, weight)
        if covered >= settings.min_coverage:
            return answered(chosen, chosen[0], Check("coverage", True, f"{covered:.2f}"))
        if similarity is not None:
            semantic = semantic_choice(usable, texts, similarity, settings)
            if semantic is not None:
                return answered([semantic], semantic, Check("similarity", True))
        if not failed:
            coverage = Check("coverage", False, f"{covered:.2f} < {settings.min_coverage}")
            checks = sentence_checks(usable[0], facts, texts, reports) + [coverage]
            return refusal(question, NOTHING_MATCHING, checks)
    if failed:
        return refused_for(question, closest_failure(failed, facts, texts, reports))
    return refusal(question, NOTHING_MATCHING)
