"""Generated answers without a model: the prompt, the choice of generator, and the stream of
drafts that ends in the checked answer."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from reportqa.errors import ReportQAError
from reportqa.generate.backends import (
    SYSTEM_PROMPT,
    OpenAIGenerator,
    Passage,
    build_prompt,
    load_generator,
)


def test_the_prompt_numbers_the_passages_and_asks_for_citations() -> None:
    messages = build_prompt(
        "问？", [Passage("报告甲", "一、总体", "正文一"), Passage("报告乙", "", "正文二")]
    )
    assert messages[0]["content"] == SYSTEM_PROMPT and "报告中没有相关内容" in SYSTEM_PROMPT
    assert "[1] 《报告甲》 一、总体\n正文一" in messages[1]["content"]
    assert "[2] 《报告乙》\n正文二" in messages[1]["content"]
    assert messages[1]["content"].endswith("问题：问？\n回答：")


def test_load_generator_choices(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPORTQA_GENERATOR", raising=False)
    monkeypatch.delenv("REPORTQA_OPENAI_BASE_URL", raising=False)
    assert load_generator() is None and load_generator("extractive") is None
    with pytest.raises(ReportQAError, match="REPORTQA_OPENAI_BASE_URL"):
        load_generator("openai")
    with pytest.raises(ReportQAError, match="Unknown generator"):
        load_generator("gpt")
    monkeypatch.setenv("REPORTQA_OPENAI_BASE_URL", "http://127.0.0.1:9/")
    generator = load_generator("openai")
    assert isinstance(generator, OpenAIGenerator)
    assert generator.base_url == "http://127.0.0.1:9/v1"


def test_stream_drafts_yields_tokens_then_the_answer_and_reraises() -> None:
    from reportqa.generate.checked import stream_drafts
    from reportqa.records import Answer

    def ask(on_token: Callable[[str], None]) -> Answer:
        for piece in ("甲", "乙"):
            on_token(piece)
        return Answer(question="问", answer="甲乙", refused=False, citations=[])

    steps = list(stream_drafts(ask))
    assert [d for d, _ in steps] == ["甲", "甲乙", "甲乙"]
    assert steps[-1][1] is not None and steps[-1][1].answer == "甲乙"

    def broken(on_token: Callable[[str], None]) -> Answer:
        raise ReportQAError("no index")

    with pytest.raises(ReportQAError, match="no index"):
        list(stream_drafts(broken))
