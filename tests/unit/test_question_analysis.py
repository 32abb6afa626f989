"""What a question asks about: pure rules, checked on hand-written cases."""

from __future__ import annotations

import pytest

from reportqa.answer.question import FIGURE, analyse, find_places


def test_years_places_and_topic_tokens() -> None:
    facts = analyse("芜湖市鸠江区2024年受理法律援助案件多少件？")
    assert facts.years == (2024,)
    assert facts.places == ("芜湖市", "鸠江区")  # the segmenter tags 鸠江区 as a name
    assert "2024" not in facts.tokens and "鸠|江" not in facts.tokens
    assert "援|助" in facts.tokens and facts.wants_figure


@pytest.mark.parametrize(
    ("question", "places"),
    [
        ("光明区2021年行政诉讼多少宗？", ["光明区"]),  # "光明" + "区"
        ("深圳市南山区的情况", ["深圳市", "南山区"]),
        ("安徽省法治化营商环境排名", ["安徽省"]),  # 法治化 is tagged as a place, but is not one
        ("城镇新增就业多少人", []),
        ("两岸融合发展示范区建设", []),
        ("老百姓买东西一共花了多少钱？", []),  # 东西 is tagged as a place
        ("马鞍山网上卖了多少钱的东西？", ["马鞍山"]),
        ("东西部协作投入多少资金？", []),
    ],
)
def test_place_names(question: str, places: list[str]) -> None:
    assert find_places(question) == places


def test_named_rate_person_and_list() -> None:
    assert analyse("行政诉讼案件的败诉率是多少？").measure == "败诉率"
    assert analyse("调解率是多少？").measure == "调解率"
    assert analyse("一把手到庭的比例是多少？").measure is None
    assert analyse("镜湖区区长叫什么名字？").wants_person
    assert not analyse("选址举措叫什么名字？").wants_person
    listing = analyse("主要安排有哪几个方面？")
    assert listing.wants_list and not listing.wants_figure
    assert analyse("开展了几次演练？").wants_figure


@pytest.mark.parametrize(
    ("text", "is_figure"),
    [("120件", True), ("50.6%", True), ("1.135亿元", True), ("三项", True), ("十二件", True),
     ("一百件", True), ("两个", True), ("办成一件事", False), ("一批", False)],
)  # fmt: skip
def test_figures(text: str, is_figure: bool) -> None:
    assert bool(FIGURE.search(text)) is is_figure
