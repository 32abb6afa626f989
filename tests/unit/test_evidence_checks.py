"""Table tests of the vocabulary and the evidence checks on reworded forms of the same question.

A rule that holds for one wording only is a phrase list; each row here rewords a question the way
people do (案件里/当中 for 案件中, 比例/占比 for 率, 二〇二三年/去年 for 2023年, 芜湖市镜湖区 for 全区)
and expects the same verdict.
"""

from __future__ import annotations

import pytest

from reportqa.answer.evidence import (
    ReportInfo,
    check_answer_kind,
    check_part,
    check_place,
    check_time_kind,
    check_year,
    evidence_years,
    measure_named,
    mismatch,
)
from reportqa.answer.question import analyse
from reportqa.lang import zh

DISTRICT = ReportInfo("镜湖区人民政府关于2024年法治政府建设情况的报告", ("镜湖区",), (2024,), "")
WORK_2024 = ReportInfo("厦门市2024年政府工作报告", ("厦门市",), (2023, 2024), "政府工作报告")
WORK_2026 = ReportInfo("2026年四川省人民政府工作报告", ("四川省",), (2025, 2026), "政府工作报告")
UNKNOWN = ReportInfo("xiamen-report", (), (), "")


@pytest.mark.parametrize(
    "text, years",
    [
        ("2023年全区新收案件", {2023}),
        ("二〇二三年全区新收案件", {2023}),
        ("二零二四年度", {2024}),
        ("较2019年同期增长", set()),
    ],
)
def test_year_forms(text: str, years: set[int]) -> None:
    assert zh.years_in(text) - zh.passing_years(text) == years


@pytest.mark.parametrize(
    "sentence, delivered, years",
    [("去年地区生产总值增长5.4%", 2024, {2023}), ("今年预期增长5%左右", 2026, {2026})],
)
def test_relative_years_follow_the_report(sentence: str, delivered: int, years: set[int]) -> None:
    assert zh.relative_years(sentence, delivered) == years


def test_a_year_in_passing_does_not_make_a_sentence_about_it() -> None:
    sentence = "全区新收行政复议案件120件，较2019年同期增长20%。"
    assert 2019 not in evidence_years(sentence, "", DISTRICT)
    assert 2024 in evidence_years(sentence, "", DISTRICT)


@pytest.mark.parametrize(
    "question, in_2026_report",
    [
        ("2023年GDP增长多少？", False),
        ("二〇二三年GDP增长多少？", False),
        # relative to the report: 去年 is 2023 in the 2024 report, 2025 in the 2026 one
        ("去年GDP增长多少？", True),
    ],
)
def test_the_same_year_in_three_forms(question: str, in_2026_report: bool) -> None:
    facts = analyse(question)
    review = "地区生产总值增长5.5%。"
    assert check_year(facts, review, "一、2023年工作回顾", WORK_2024).passed
    assert check_year(facts, review, "一、2025年工作回顾", WORK_2026).passed is in_2026_report


@pytest.mark.parametrize(
    "question, passed",
    [("自2022年上线以来累计兑付多少家企业？", True), ("2019年以来共接到投诉多少宗？", False)],
)
def test_a_year_in_passing_matches_the_same_year_in_passing(question: str, passed: bool) -> None:
    sentence = (
        "自2022年惠企政策网上超市上线以来，累计为277家企业兑付；2021年以来共接到投诉270余宗。"
    )
    assert check_year(analyse(question), sentence, "", DISTRICT).passed is passed


def test_unknown_year_or_place_never_refuses() -> None:
    facts = analyse("2024年厦门市新增市场主体多少户？")
    sentence = "新增市场主体12万户。"
    assert check_year(facts, sentence, "", UNKNOWN).passed
    assert check_place(facts, sentence, "", UNKNOWN).passed


@pytest.mark.parametrize(
    "question",
    [
        "法律援助案件中刑事案件有多少件？",
        "法律援助案件里刑事案件有多少件？",
        "法律援助案件当中刑事案件有多少件？",
    ],
)
def test_part_of_a_whole_in_reworded_forms(question: str) -> None:
    facts = analyse(question)
    assert facts.subset == "刑事"
    assert not check_part(facts, "办理法律援助案件560件。", "", DISTRICT).passed
    assert check_part(facts, "其中刑事案件210件。", "", DISTRICT).passed


@pytest.mark.parametrize(
    "measure, sentence, named",
    [
        ("败诉率", "行政诉讼败诉率为3.2%", True),
        ("败诉率", "败诉案件占比3.2%", True),
        ("败诉率", "败诉案件的比例为3.2%", True),
        ("败诉率", "负责人出庭应诉率100%", False),
        ("食产量", "粮食总产量615亿斤", True),
        ("车销量", "新能源汽车产量增长27.7%", False),
        ("授权量", "每万人口高价值发明专利拥有量达到9.3件", False),
    ],
)
def test_a_rate_by_any_of_its_names(measure: str, sentence: str, named: bool) -> None:
    assert measure_named(measure, sentence) is named


@pytest.mark.parametrize(
    "question",
    ["芜湖市镜湖区2024年新收行政复议案件多少件？", "镜湖区2024年新收行政复议案件多少件？"],
)
def test_a_city_named_with_its_district(question: str) -> None:
    facts = analyse(question)
    assert check_place(facts, "新收行政复议案件120件。", "", DISTRICT).passed


def test_another_place_is_still_refused() -> None:
    facts = analyse("合肥市2024年新收行政复议案件多少件？")
    assert not check_place(facts, "新收行政复议案件120件。", "", DISTRICT).passed


@pytest.mark.parametrize(
    "question, sentence, section, passed",
    [
        ("2026年GDP增长目标是多少？", "地区生产总值增长5%左右。", "二、2026年主要目标任务", True),
        ("2026年GDP实际增长多少？", "地区生产总值增长5%左右。", "二、2026年主要目标任务", False),
        ("2026年GDP增长多少？", "地区生产总值预期增长5%左右。", "二、2026年主要目标任务", False),
        ("2025年GDP增长多少？", "地区生产总值增长5.5%。", "一、2025年工作回顾", True),
        ("2025年GDP增长目标是多少？", "地区生产总值增长5.5%。", "一、2025年工作回顾", False),
    ],
)
def test_a_target_is_not_a_result(question: str, sentence: str, section: str, passed: bool) -> None:
    assert check_time_kind(analyse(question), sentence, section, WORK_2026).passed is passed


@pytest.mark.parametrize(
    "question, sentence, passed",
    [
        ("调解率是多少？", "调解结案44件。", False),
        ("调解结案的比例是多少？", "调解率达50.6%。", True),
        ("在全省考评中排第几？", "在全市考评中位列第一。", True),
        ("在全省考评中排名如何？", "考评成绩优秀。", False),
        ("为什么要提高行政复议调解率？", "调解有利于化解矛盾。", True),
        # a figure in the counter asked (人 and 名 count the same; 个 counts anything)
        ("聘请了多少家法律顾问？", "提出意见500余条。", False),
        ("讲了几场法律课？", "深入企业专题普法21场。", True),
        ("答复了多少条？", "办理热线答复4万余条。", True),
        ("培训了多少人？", "培训执法人员320名。", True),
        ("扣了多少个罐子？", "暂扣煤气罐493只。", True),
    ],
)
def test_the_kind_of_answer_asked(question: str, sentence: str, passed: bool) -> None:
    assert check_answer_kind(analyse(question), sentence, "", DISTRICT).passed is passed


@pytest.mark.parametrize(
    "question, alias",
    [
        ("GDP增长多少", "生产总值"),
        ("社零总额多少", "社会消费品零售总额"),
        ("CPI涨幅", "居民消费价格"),
    ],
)
def test_indicator_names(question: str, alias: str) -> None:
    facts = analyse(question)
    assert alias in facts.aliases
    assert mismatch(facts, f"全市{alias}增长5.2%。", "", WORK_2024) is None


def test_traditional_characters_read_as_simplified() -> None:
    assert zh.to_simplified("2024年行政復議調解率是多少？") == "2024年行政复议调解率是多少？"
