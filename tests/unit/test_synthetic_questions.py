"""Questions generated from report sentences (evaluation/synthetic.py): the figures found, the
year each is of, answerable questions and near misses, and the same seed giving the same set."""

from __future__ import annotations

import random

from reportqa.evaluation.synthetic import (
    Fact,
    facts_of,
    figure_clauses,
    generate,
    negative,
    positive,
    with_fallback_years,
)
from reportqa.lang import zh
from reportqa.records import ReportInfo

WORK_REPORT = ReportInfo("2026年某省政府工作报告", ("某某省",), (2025, 2026), "政府工作报告")
TEXT = (
    "各位代表：\n一、2025年工作回顾\n全省地区生产总值增长5.2%，新增城镇就业63.8万人。"
    "粮食产量达到830.6亿斤，生猪出栏3100万头。\n二、2026年主要目标任务\n"
    "主要预期目标是：地区生产总值增长5%左右，城镇调查失业率5.5%左右。"
)
PAIRS = [
    ("一、2025年工作回顾", "全省地区生产总值增长5.2%，新增城镇就业63.8万人。"),
    ("一、2025年工作回顾", "粮食产量达到830.6亿斤，生猪出栏3100万头。"),
    ("二、2026年主要目标任务", "主要预期目标是：地区生产总值增长5%左右，城镇调查失业率5.5%左右。"),
]


def test_figure_clauses_name_the_thing_and_its_figure() -> None:
    assert figure_clauses("全省地区生产总值增长5.2%，新增城镇就业63.8万人。") == [
        ("全省地区生产总值增长", "5.2%"),
        ("新增城镇就业", "63.8万人"),
    ]
    # a comparison or a rank is not a thing with its figure
    assert figure_clauses("比上年增长5.2%，排名第3位。") == []


def test_facts_know_their_year_and_whether_they_are_targets() -> None:
    facts = {f.prefix: f for f in facts_of("某省.txt", PAIRS, WORK_REPORT)}
    assert facts["全省地区生产总值增长"].year == 2025
    assert not facts["全省地区生产总值增长"].target
    assert facts["城镇调查失业率"].year == 2026 and facts["城镇调查失业率"].target
    assert facts["新增城镇就业"].unit == "万人" and facts["全省地区生产总值增长"].unit == ""


def test_a_positive_asks_for_the_figure_of_its_year() -> None:
    fact = Fact("某省.txt", PAIRS[0][1], "新增城镇就业", "63.8万人", 2025, False)
    question = positive(fact, "某某省", random.Random(0), "q1")
    assert question.answerable and question.must_contain == ("63.8万人",)
    assert "2025年" in question.question and "新增城镇就业" in question.question
    assert "多少万人" in question.question


def test_a_target_is_asked_as_a_target() -> None:
    fact = Fact("某省.txt", PAIRS[2][1], "城镇调查失业率", "5.5%", 2026, True)
    for seed in range(5):
        text = positive(fact, "某某省", random.Random(seed), "q").question
        assert zh.ASKS_TARGET.search(text), text


def test_negatives_swap_what_the_report_cannot_answer() -> None:
    fact = Fact("某省.txt", PAIRS[1][1], "粮食产量达到", "830.6亿斤", 2025, False)
    other = Fact("某市.docx", "", "新增口袋公园", "22个", 2023, False)
    sentences = [s for _, s in PAIRS]
    traps = set()
    for seed in range(40):
        near = negative(
            fact,
            "某某省",
            WORK_REPORT,
            sentences,
            TEXT,
            [other],
            ["宝鸡市"],
            random.Random(seed),
            "n",
        )
        assert near is not None and not near.answerable and near.must_contain == ()
        traps.add(near.trap)
        if near.trap == "year":
            assert not any(f"{y}年" in near.question for y in WORK_REPORT.years)
        if near.trap == "place":
            assert "宝鸡" in near.question
        if near.trap == "subject":
            assert "口袋公园" in near.question  # another report's thing, absent from this one
    assert {"year", "place", "subject", "kind"} <= traps


def test_the_same_seed_gives_the_same_questions() -> None:
    reports = [("某省.txt", TEXT, WORK_REPORT, PAIRS)]
    first = generate(reports, ["宝鸡市"], seed=3)
    assert first == generate(reports, ["宝鸡市"], seed=3)
    assert {q.type for q in first} == {"number", "unanswerable"}
    assert [q.question for q in first] != [
        q.question for q in generate(reports, ["宝鸡市"], seed=4)
    ]


def test_a_city_report_without_years_is_read_as_its_2024_work_report() -> None:
    info = ReportInfo("盐城", ("盐城市",), (), "")
    assert with_fallback_years(info, "盐城.docx").years == (2023, 2024)
    assert with_fallback_years(WORK_REPORT, "x.txt") is WORK_REPORT
