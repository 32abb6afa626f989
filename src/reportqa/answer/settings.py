"""The answer step's thresholds, each with the reason for its value."""

from __future__ import annotations

from dataclasses import dataclass

from reportqa import rules

# REPORTQA_RULES_OFF=deep_reading: the best passages alone, the best three for a paraphrase.
_DEEP = rules.on("deep_reading")


@dataclass(frozen=True)
class AnswerSettings:
    # Thresholds chosen on the evaluation set (README): accuracy varied by under 2 points across
    # the grid around them, so they are not finely tuned to that set.
    min_coverage: float = 0.45  # share of the question's term weight the evidence must hold
    # A paraphrased question shares few words with its answer. Below `min_coverage`, a sentence
    # is still taken when it covers some terms and is close in meaning to the question.
    semantic_min_coverage: float = 0.1
    # in standard deviations above the question's mean similarity to all chunks (see Engine)
    semantic_min_similarity: float = 2.8
    max_list_items: int = 8
    # ...from any of the passages the first pass reads (top_k); an answer phrased in the report's
    # words is often in the fourth or fifth passage, under a longer one that shares more words
    semantic_from_top_hits: int = 5 if _DEEP else 3
    max_sentences: int = 3
    max_answer_chars: int = 260
    long_sentence_chars: int = 110  # longer sentences are trimmed to the clauses that answer
    # A sentence's score gains rank_bonus / (1 + passage rank): retrieval saw the title and
    # section path the sentence lacks, so between two sentences of nearly equal coverage the one
    # from the better-ranked passage wins. Small next to a coverage step (one term of a
    # two-term question is 0.5), so it only breaks near ties.
    rank_bonus: float = 0.15
    # When a figure is asked, a sentence holding one gains this much: enough to pass a sentence
    # of equal coverage without a figure, too little to pass one that covers another term.
    figure_bonus: float = 0.05
    # A further sentence joins the best one (two-part questions) only when it scores at least
    # this share of the best score: a much weaker sentence is usually about something else.
    companion_min_score_share: float = 0.6
    # ...and only when the question terms it adds weigh at least this much (IDF; about one
    # ordinary term): a sentence adding only a frequent character adds nothing the reader asked.
    companion_min_added_weight: float = 1.0
    # A list question is answered from the best sentence's section, or else from the sections of
    # sentences scoring at least this share of the best: nearly as good a match, so still on the
    # topic asked, while a list in a weaker section is likely another list.
    list_anchor_min_score_share: float = 0.75
    # Passages retrieved for the second pass (see Passages.reserve): when the best `top_k` give
    # no answer, the answer step reads this many. 0: no second pass.
    second_pass_hits: int = 20 if _DEEP else 0
