"""The engine works a question out once and passes what it found: the question's facts and its
vector reach routing, retrieval and the answer step as arguments, not through a cache."""

from __future__ import annotations

from typing import Any

import pytest

import reportqa.engine as engine_module
from reportqa.answer.question import analyse
from reportqa.engine import Engine

QUESTION = "2024年镜湖区全区新收行政复议案件多少件？"


def test_ask_analyses_and_embeds_the_question_once(
    all_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    analysed: list[str] = []
    embedded: list[str] = []
    embed_query = all_engine.embedder.embed_query

    def counting_analyse(question: str) -> Any:
        analysed.append(question)
        return analyse(question)

    def counting_embed(question: str) -> Any:
        embedded.append(question)
        return embed_query(question)

    monkeypatch.setattr(engine_module, "analyse", counting_analyse)
    monkeypatch.setattr(all_engine.embedder, "embed_query", counting_embed)
    answer = all_engine.ask(QUESTION)
    assert not answer.refused and "120件" in answer.answer
    assert analysed == [QUESTION] and embedded == [QUESTION]
    embedded.clear()
    all_engine.ask(QUESTION, mode="keyword")
    assert embedded == []  # keyword retrieval needs no vector


def test_the_retriever_takes_the_vector_not_an_embedder(all_engine: Engine) -> None:
    retriever = all_engine.retriever
    assert not hasattr(retriever, "embedder")
    vector = all_engine.embedder.embed_query(QUESTION)
    routed = all_engine.route(analyse(QUESTION))
    assert routed is not None
    hybrid = retriever.search(QUESTION, vector, top_k=5, mode="hybrid", reports=routed)
    assert [h.chunk_id for h in hybrid] == [
        h.chunk_id for h in all_engine.retrieve(QUESTION, top_k=5, mode="hybrid")
    ]
    # without a vector only the keyword leg runs, whatever the mode asked
    keyword = retriever.search(QUESTION, None, top_k=5, mode="hybrid", reports=routed)
    assert [h.chunk_id for h in keyword] == [
        h.chunk_id for h in all_engine.retrieve(QUESTION, top_k=5, mode="keyword")
    ]
    found = retriever.candidates(QUESTION, vector, None, 5, "hybrid")
    assert found.similarity == retriever.similarity_stats(vector)


def test_the_answer_step_sees_only_the_reports_of_its_passages(all_engine: Engine) -> None:
    hits = all_engine.retrieve(QUESTION, top_k=5)
    passages = all_engine.passages(hits)
    assert set(passages.texts) == set(passages.reports) == {h.chunk.report for h in hits}
    assert len(passages.texts) < len(all_engine.reports)
