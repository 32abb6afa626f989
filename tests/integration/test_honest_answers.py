"""The engine on questions that are not about the reports, on a report filter that excludes the
place asked, on traditional characters, and the checks `--json` gives for an answer or a refusal."""

from __future__ import annotations

import pytest

from reportqa.engine import Engine


@pytest.mark.parametrize(
    "question, opening",
    [
        ("你好", "您好"),
        ("你能做什么？", "您好"),
        ("有哪些报告？", "您好"),
        ("帮我写一首关于春天的诗", "抱歉"),
        ("明天天气怎么样？", "抱歉"),
        ("红烧肉怎么做？", "抱歉"),
        ("How many cases were filed in 2024?", "请用中文提问"),
    ],
)
def test_small_talk_gets_no_cited_passage(all_engine: Engine, question: str, opening: str) -> None:
    answer = all_engine.ask(question)
    assert answer.citations == [] and answer.refused
    assert answer.answer.startswith(opening)
    assert answer.to_dict()["checks"] == [
        {"check": "about_reports", "passed": False, "reason": answer.checks[0]["reason"]}
    ]


def test_help_text_lists_what_is_loaded(all_engine: Engine) -> None:
    text = all_engine.ask("你好").answer
    assert "已收录" in text and "6份报告" in text


def test_a_filter_that_excludes_the_place_asked_says_so(all_engine: Engine) -> None:
    question = "2024年厦门市新增市场主体多少户？"
    answer = all_engine.ask(question, reports=["jinghu-2024-fazhi"])
    assert answer.refused and answer.citations == []
    assert "限定" in answer.answer and "厦门市" in answer.answer
    assert answer.checks == [{"check": "report_filter", "passed": False, "reason": "厦门市"}]


def test_traditional_characters_are_answered_like_simplified(all_engine: Engine) -> None:
    simplified = all_engine.ask("2024年镜湖区全区新收行政复议案件多少件？")
    traditional = all_engine.ask("2024年鏡湖區全區新收行政復議案件多少件？")
    assert not traditional.refused and "120件" in traditional.answer
    assert traditional.answer == simplified.answer
    assert traditional.question == "2024年鏡湖區全區新收行政復議案件多少件？"


def test_json_names_the_checks_of_an_answer_and_of_a_refusal(all_engine: Engine) -> None:
    answered = all_engine.ask("2024年镜湖区全区新收行政复议案件多少件？").to_dict()
    assert answered["checks"] and all(c["passed"] for c in answered["checks"])
    refused = all_engine.ask("2023年镜湖区全区新收行政复议案件多少件？").to_dict()
    failed = [c for c in refused["checks"] if not c["passed"]]
    assert refused["refused"] and failed[0]["check"] == "year"
    assert failed[0]["reason"] in refused["answer"]
