"""Questions that are not about the reports get a help text or a polite refusal, never a passage."""

from __future__ import annotations

import pytest

from reportqa.answer.smalltalk import classify, reply


@pytest.mark.parametrize(
    "question, kind",
    [
        ("你好", "help"),
        ("您好！", "help"),
        ("你能做什么？", "help"),
        ("有哪些报告？", "help"),
        ("帮我写一首诗", "out_of_domain"),
        ("讲个笑话", "out_of_domain"),
        ("明天天气怎么样？", "out_of_domain"),
        ("红烧肉怎么做？", "out_of_domain"),
        ("推荐一部电影", "out_of_domain"),
        ("今天星期几？", "out_of_domain"),
        ("What was the GDP growth rate in 2024?", "english"),
        ("hello there", "english"),
        # questions about the reports, even when they share a word with small talk
        ("2026年GDP增长目标是多少？", None),
        ("重污染天气天数减少了多少？", None),
        ("有哪些经验做法？", None),
        ("今年推进了哪些电影产业项目？", None),
        ("如何帮助中小企业纾困？", None),
        ("R&D投入强度是多少？", None),
    ],
)
def test_classify(question: str, kind: str | None) -> None:
    assert classify(question) == kind


def test_replies() -> None:
    assert "《镜湖区报告》" in reply("help", ["镜湖区报告"])
    assert reply("english", []).startswith("请用中文提问")
    assert "无关" in reply("out_of_domain", [])
