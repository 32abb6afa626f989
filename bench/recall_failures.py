"""Why answerable dev questions are refused or answered wrongly: does the answer step ever see the
sentence that answers?

For every answerable question of a question file that `Engine.ask` gets wrong, this retrieves as
`ask` does at depths 5, 10 and 20 and reports where the gold passage ranks, whether a candidate
sentence of the top passages holds every expected string (and where it ranks), whether it passes
every evidence check (else the first one it fails), whether the answerability model weighs it and
with what probability. Prints one line per failure and the class counts.

    .venv/bin/python bench/recall_failures.py [--index-dir index-eval] [--questions eval/dev.jsonl]
"""

from __future__ import annotations

import argparse
import collections
import json
from pathlib import Path

from reportqa.answer import answerability
from reportqa.answer.compose import rules_choice
from reportqa.answer.evidence import first_failure, with_target_lead
from reportqa.answer.question import analyse
from reportqa.answer.refusal import screen
from reportqa.answer.scoring import Candidate, candidates
from reportqa.answer.settings import AnswerSettings
from reportqa.engine import Engine
from reportqa.evaluation.metrics import answer_correct
from reportqa.evaluation.record import EvalQuestion
from reportqa.evaluation.runner import is_relevant, load_questions
from reportqa.lang import zh

DEPTHS = (5, 10, 20)


def holds_answer(engine: Engine, cand: Candidate, q: EvalQuestion) -> bool:
    """Answering with this sentence alone quotes every expected string from the right report."""
    text = engine.texts[cand.hit.chunk.report]
    return cand.hit.chunk.report == q.report_id and all(
        m in text[cand.start : cand.end] for m in q.must_contain
    )


def diagnose(engine: Engine, q: EvalQuestion) -> dict[str, object]:
    question = zh.to_simplified(q.question)
    facts = analyse(question)
    allowed = engine.route(facts)
    query = engine.query_vector(question, "hybrid")
    searched = "，".join([question, *facts.aliases]) if facts.aliases else question
    deep = engine.backend.candidates(searched, query, allowed, max(DEPTHS), "hybrid").hits
    gold_rank = next((i for i, h in enumerate(deep) if is_relevant(h.chunk, q)), None)
    row: dict[str, object] = {"id": q.id, "type": q.type, "gold_passage_rank": gold_rank}
    found = engine.backend.candidates(searched, query, allowed, 5, "hybrid")
    similarity = (
        engine._similarity_to(query, found.similarity)
        if query is not None and found.similarity is not None
        else None
    )
    settings = engine.answer_settings
    weight = engine.weights.looked_up(facts.tokens)
    for depth in DEPTHS:
        hits = found.hits if depth == 5 else deep[:depth]
        passages = engine.passages(hits)
        ranked = candidates(facts, hits, passages.texts, weight, settings)
        right = [i for i, c in enumerate(ranked) if holds_answer(engine, c, q)]
        row[f"sentence_rank@{depth}"] = right[0] if right else None
        if depth != 5:
            continue
        screened = screen(ranked, facts, passages.texts, passages.reports, settings)
        rule = rules_choice(screened.usable, facts, passages.texts, weight, similarity, settings)
        if not right:
            continue
        cand = ranked[right[0]]
        chunk = cand.hit.chunk
        sentence = with_target_lead(passages.texts[chunk.report], cand.start, cand.end)
        failure = first_failure(facts, sentence, chunk.section, passages.reports[chunk.report])
        row["sentence"] = passages.texts[chunk.report][cand.start : cand.end][:60]
        row["coverage"] = round(cand.coverage, 2)
        row["usable_rank"] = next(
            (i for i, c in enumerate(screened.usable) if holds_answer(engine, c, q)), None
        )
        row["first_failed_check"] = failure.name if failure else None
        model = answerability.load_model()
        if model is not None:
            weighed = answerability.pool(
                facts,
                ranked,
                screened.usable,
                passages.texts,
                passages.reports,
                weight,
                rule.anchor,
                rule.how.name,
            )
            probs = [(model.probability(w.features), w) for w in weighed]
            mine = [p for p, w in probs if holds_answer(engine, w.cand, q)]
            row["in_pool"] = bool(mine)
            row["p_right"] = round(max(mine), 2) if mine else None
            row["p_best"] = round(max(p for p, _ in probs), 2) if probs else None
    return row


def failure_class(row: dict[str, object]) -> str:
    if row["gold_passage_rank"] is None and row["sentence_rank@20"] is None:
        return "not in top 20"
    if row["sentence_rank@5"] is None:
        if row["sentence_rank@20"] is not None:
            return "answer sentence only below the top 5 passages"
        return "gold passage retrieved, no one sentence holds every expected string"
    if row.get("first_failed_check"):
        return f"answer sentence fails check {row['first_failed_check']}"
    if not row.get("in_pool"):
        return "answer sentence passes, not among the model's candidates"
    return "answer sentence weighed, another chosen or below threshold"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--index-dir", type=Path, default=Path("index-eval"))
    parser.add_argument("--questions", type=Path, default=Path("eval/dev.jsonl"))
    parser.add_argument("--out", type=Path, default=None, help="JSON lines, one per failure")
    parser.add_argument(
        "--first-pass-only", action="store_true", help="answer from the top 5 passages only"
    )
    args = parser.parse_args()
    settings = AnswerSettings(second_pass_hits=0) if args.first_pass_only else None
    engine = Engine(args.index_dir, answer_settings=settings)
    questions = [q for q in load_questions(args.questions) if q.answerable and not q.chitchat]
    indexed = set(engine.reports)
    rows = []
    for q in questions:
        if q.report_id not in indexed:
            continue
        answer = engine.ask(q.question)
        if answer_correct(answer.answer, answer.refused, q.must_contain):
            continue
        row = diagnose(engine, q)
        row["refused"] = answer.refused
        row["class"] = failure_class(row)
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False))
    if args.out:
        args.out.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
        )
    print(f"\n{len(rows)} of {len(questions)} answerable questions failed")
    for name, n in collections.Counter(str(r["class"]) for r in rows).most_common():
        print(f"{n:4d}  {name}")


if __name__ == "__main__":
    main()
