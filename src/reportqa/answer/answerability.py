"""The learned answer/refuse decision: a logistic regression over what the answer step already
knows of each candidate sentence (how much of the question it covers, its rank, each evidence
check's outcome, its closeness in meaning to the question), trained on questions generated from
report sentences (evaluation/synthetic.py, bench/train_answerability.py).

The evidence checks stay; they become features instead of vetoes, so a sentence failing a check
that is too strict for an unseen wording can still answer when everything else agrees, and a
sentence passing every check can still be refused when it covers little of the question. The
weights are a small JSON file beside this module, read once. `REPORTQA_RULES_OFF=answerability`
switches the model off (the rules alone decide, as before).

Pure functions except `load_model` (reads the weights file).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportqa import rules
from reportqa.answer.evidence import CHECKS, Check, asked_thing
from reportqa.answer.question import QuestionFacts
from reportqa.answer.refusal import SentenceChecks
from reportqa.answer.scoring import Candidate, Weight
from reportqa.lang import zh
from reportqa.records import ReportInfo

WEIGHTS_FILE = Path(__file__).with_name("answerability.json")
# Candidates weighed per question: the best-scored sentences, and the best that pass every check.
POOL_BY_SCORE = 5
POOL_USABLE = 3

CHECK_NAMES: tuple[str, ...] = tuple(
    fn.__name__.removeprefix("check_") for fn in CHECKS
)  # one failed-or-not feature per evidence check, named after its function

FEATURE_NAMES: tuple[str, ...] = (
    "coverage",
    "score",
    "passage_rank",  # 1 / (1 + rank of its passage)
    "sentence_rank",  # 1 / (1 + position among the scored sentences)
    "coverage_gap",  # its coverage minus the best coverage of the pool
    "biggest_missing",  # the heaviest question term it lacks, as a share of the question's weight
    "bigram_overlap",  # share of the question's character bigrams in the sentence and section
    "thing_named",  # the thing whose figure is asked is named in the sentence
    "figure_asked_and_given",
    "figure_asked_not_given",
    "from_top_report",  # from the report of the best passage
    "rules_answer_with",  # the sentence the rules alone would answer with
    "rules_answer",  # the rules alone would answer the question (with any sentence)
    "rules_by_similarity",  # ... with this sentence, for its closeness in meaning (a paraphrase)
    "all_checks_passed",
    "checks_failed",
    *(f"failed_{name}" for name in CHECK_NAMES),
)

_HAN_BIGRAM = re.compile(r"(?=([\u4e00-\u9fff]{2}))")


def bigrams(text: str) -> set[str]:
    return set(_HAN_BIGRAM.findall(text))


@dataclass(frozen=True)
class Model:
    """Standardised logistic regression: p = sigmoid(coef · (x - mean) / scale + intercept)."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    threshold: float

    def probability(self, values: Mapping[str, float]) -> float:
        z = self.intercept
        for name, mean, scale, coef in zip(
            self.features, self.mean, self.scale, self.coef, strict=True
        ):
            z += coef * (values.get(name, 0.0) - mean) / (scale or 1.0)
        return 1.0 / (1.0 + math.exp(-max(min(z, 60.0), -60.0)))

    def unweighed_failures(self, values: Mapping[str, float]) -> list[str]:
        """The failed checks this model gives no weight. Training holds a failed check's
        coefficient at or below zero and leaves it at zero when the generated questions gave it
        nothing to learn from (a scope trap, 全市 asked where only 全区 is given, is never
        generated): the model cannot judge such a failure, so the rules' veto stands."""
        return [
            name.removeprefix("failed_")
            for name, coef in zip(self.features, self.coef, strict=True)
            if name.startswith("failed_") and coef == 0.0 and values.get(name, 0.0)
        ]

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Model:
        def floats(key: str) -> tuple[float, ...]:
            value = data[key]
            assert isinstance(value, list), key
            return tuple(float(v) for v in value)

        features = data["features"]
        assert isinstance(features, list)
        intercept, threshold = data["intercept"], data["threshold"]
        assert isinstance(intercept, (int, float)) and isinstance(threshold, (int, float))
        return cls(
            tuple(str(f) for f in features),
            floats("mean"),
            floats("scale"),
            floats("coef"),
            float(intercept),
            float(threshold),
        )


@lru_cache(maxsize=1)
def load_model(path: Path = WEIGHTS_FILE) -> Model | None:
    """The shipped model, or None when it is switched off or no weights file is present."""
    if not rules.on("answerability") or not path.exists():
        return None
    return Model.from_dict(json.loads(path.read_text(encoding="utf-8")))


def candidate_features(
    facts: QuestionFacts,
    cand: Candidate,
    sentence: str,
    section: str,
    checks: Sequence[Check],
    weight: Weight,
    *,
    sentence_rank: int,
    best_coverage: float,
    top_report: str,
    rule_anchor: Candidate | None = None,
    rule_how: str = "",
) -> dict[str, float]:
    """The features of one candidate sentence (`sentence`, with its target lead-in if any)."""
    total = sum(weight(t) for t in facts.tokens) or 1.0
    missing = [weight(t) for t in facts.tokens if t not in cand.matched]
    # the question's own words (多少, 是否) and its places and years are not what it asks about
    asked = bigrams(zh.QUESTION_WORDS.sub("，", zh.YEAR_WITH_SUFFIX.sub("，", facts.text)))
    asked -= bigrams("".join(facts.places))
    given = bigrams(sentence) | bigrams(section)
    thing = asked_thing(facts.text)
    has_figure = bool(zh.FIGURE.search(sentence))
    failed = {c.name for c in checks if not c.passed}
    by_name = dict(zip(CHECK_NAMES, checks, strict=True))
    values = {
        "coverage": cand.coverage,
        "score": cand.score,
        "passage_rank": 1.0 / (1 + cand.hit_rank),
        "sentence_rank": 1.0 / (1 + sentence_rank),
        "coverage_gap": cand.coverage - best_coverage,
        "biggest_missing": max(missing, default=0.0) / total,
        "bigram_overlap": len(asked & given) / len(asked) if asked else 0.0,
        "thing_named": float(bool(thing) and all(w in sentence for w in thing)),
        "figure_asked_and_given": float(facts.wants_figure and has_figure),
        "figure_asked_not_given": float(facts.wants_figure and not has_figure),
        "from_top_report": float(cand.hit.chunk.report == top_report),
        "rules_answer_with": float(cand is rule_anchor),
        "rules_answer": float(rule_anchor is not None),
        "rules_by_similarity": float(cand is rule_anchor and rule_how == "similarity"),
        "all_checks_passed": float(not failed),
        "checks_failed": float(len(failed)),
    }
    for name in CHECK_NAMES:
        values[f"failed_{name}"] = float(not by_name[name].passed)
    return values


@dataclass(frozen=True)
class Weighed:
    """A candidate sentence with its checks and features."""

    cand: Candidate
    checks: list[Check]
    features: dict[str, float]


def pool(
    facts: QuestionFacts,
    ranked: Sequence[Candidate],
    usable: Sequence[Candidate],
    texts: Mapping[str, str],
    reports: Mapping[str, ReportInfo],
    weight: Weight,
    rule_anchor: Candidate | None = None,
    rule_how: str = "",
    checks: SentenceChecks | None = None,
) -> list[Weighed]:
    """The candidates the model weighs (the sentence the rules would answer with, the
    best-scored sentences and the best that pass every check), each with its checks and
    features. `checks` holds what screening already checked of the same question."""
    chosen: list[Candidate] = []
    first = [rule_anchor] if rule_anchor is not None else []
    for cand in [*first, *ranked[:POOL_BY_SCORE], *usable[:POOL_USABLE]]:
        if cand not in chosen:
            chosen.append(cand)
    if not chosen:
        return []
    checks = checks or SentenceChecks(facts, texts, reports)
    position = {id(c): i for i, c in enumerate(ranked)}
    best_coverage = max(c.coverage for c in chosen)
    top_report = ranked[0].hit.chunk.report if ranked else ""
    weighed = []
    for cand in chosen:
        chunk = cand.hit.chunk
        outcomes = checks.all(cand)
        values = candidate_features(
            facts,
            cand,
            checks.sentence(cand),
            chunk.section,
            outcomes,
            weight,
            sentence_rank=position.get(id(cand), len(ranked)),
            best_coverage=best_coverage,
            top_report=top_report,
            rule_anchor=rule_anchor,
            rule_how=rule_how,
        )
        weighed.append(Weighed(cand, outcomes, values))
    return weighed


@dataclass(frozen=True)
class Verdict:
    """The model's decision: the sentence to answer with (None: refuse), the candidate it weighed
    highest with its checks, and the check `--json` shows ("answerability", its probability)."""

    chosen: Candidate | None
    best: Weighed | None
    check: Check


def decide(model: Model, weighed: Sequence[Weighed]) -> Verdict:
    """Answer with the candidate the model finds likeliest to answer, when that likelihood
    reaches the model's threshold; else refuse."""
    if not weighed:
        return Verdict(None, None, Check("answerability", False, "0.00"))
    scored = [(model.probability(w.features), w) for w in weighed]
    p, best = max(scored, key=lambda pair: pair[0])
    vetoed = model.unweighed_failures(best.features)
    if vetoed:
        # the likeliest candidate fails a check the model cannot weigh: take the likeliest one
        # that fails none, or refuse with the check that stopped the best
        clear = [pair for pair in scored if not model.unweighed_failures(pair[1].features)]
        if not clear:
            return Verdict(None, best, Check("answerability", False, f"{vetoed[0]} 未通过"))
        p, best = max(clear, key=lambda pair: pair[0])
    passed = p >= model.threshold
    reason = f"{p:.2f} ≥ {model.threshold:.2f}" if passed else f"{p:.2f} < {model.threshold:.2f}"
    return Verdict(best.cand if passed else None, best, Check("answerability", passed, reason))
