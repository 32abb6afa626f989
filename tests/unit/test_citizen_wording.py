"""Table tests of the rules written for questions as citizens word them, on reports the rules were
not written for: targets asked with any 要 + verb, a list of targets never answering for the year
reviewed, the actual result of the year a report is delivered in, indicators under the names
reports print on both sides, everyday names of standard indicators, a growth asked where an amount
is given, a qualified kind of the thing asked (人均, 海洋), a compound holding its name (进出口),
the measures of a sector, a paragraph about a five-year period, and more ways to ask what the tool
holds.

Each row is a form found on reports the rules were not written for; each expects a verdict.
"""

from __future__ import annotations

import pytest

from reportqa.answer import smalltalk
from reportqa.answer.evidence import (
    ReportInfo,
    check_growth,
    check_qualified,
    check_time_kind,
    contrasted,
    period_lead,
)
from reportqa.answer.question import analyse, content_tokens
from reportqa.answer.scoring import coverage_of
from reportqa.ingest.metadata import detect_meta
from reportqa.lang import zh

CITY_2024 = ReportInfo("潍坊", ("潍坊市",), (2023, 2024), "政府工作报告")
PROVINCE_2026 = ReportInfo("2026年辽宁省政府工作报告", ("辽宁省",), (2025, 2026), "政府工作报告")


@pytest.mark.parametrize(
    "question, target",
    [
        ("济宁2024年一般公共预算收入要突破多少？", True),
        ("滁州今年人才要攒到多少人？", True),
        ("2024年泸州粮食产量要稳定在多少？", True),
        ("嘉兴2024年研发投入占GDP的比重要达到多少？", True),
        ("2023年主要经济指标增长了多少？", False),
        ("建设需要多少资金？", False),
        ("2023年要求完成的改革有多少项？", False),
    ],
)
def test_any_yao_and_a_verb_asks_for_a_target(question: str, target: bool) -> None:
    assert analyse(question).asks_target is target


@pytest.mark.parametrize(
    "question, sentence, passes",
    [
        # an item of a list of targets plans the year of delivery, section or not
        (
            "2023年潍坊地区生产总值增长了多少？",
            "全市主要预期目标建议为：地区生产总值增长5.5%左右",
            False,
        ),
        ("2023年潍坊地区生产总值增长了多少？", "全市地区生产总值同比增长5.1%", True),
        (
            "2024年潍坊地区生产总值增长目标是多少？",
            "全市主要预期目标建议为：地区生产总值增长5.5%左右",
            True,
        ),
        # a work report delivered early in 2024 reports no actual result of 2024
        ("2024年泸州粮食产量实际达到了多少？", "预计完成粮食产量238.8万吨、生猪出栏422万头", False),
        ("2023年泸州粮食产量实际达到了多少？", "预计完成粮食产量238.8万吨、生猪出栏422万头", True),
    ],
)
def test_targets_and_results_by_the_year_of_delivery(
    question: str, sentence: str, passes: bool
) -> None:
    assert check_time_kind(analyse(question), sentence, "", CITY_2024).passed is passes


def test_a_sentence_is_read_under_the_names_reports_print_too() -> None:
    facts = analyse("2023年抚州GDP增长了多少？")

    def weight(token: str) -> float:
        return 1.0

    coverage, _ = coverage_of(facts, "全市GDP突破2000亿元，增长6.3%", set(), weight)
    assert coverage > 0.9  # all but the pair 值|增, split by the figure


@pytest.mark.parametrize("hedge", ["大概", "大约", "差不多", "现在", "目前"])
def test_hedges_and_now_words_are_question_words(hedge: str) -> None:
    tokens = content_tokens(f"无锡去年的经济总量{hedge}有多少？")
    assert not set(hedge) & set(tokens)


@pytest.mark.parametrize(
    "question, printed",
    [
        ("贵州人现在平均能活到多少岁？", "人均预期寿命"),
        ("贵州人均能活几岁？", "人均预期寿命"),
        ("辽宁去年来旅游的人多了多少？", "接待游客人次"),
        ("来这里游玩的游客数增长了多少？", "接待游客人次"),
        ("泰安去年收了多少税？", "税收收入"),
        ("辽宁去年造的新能源车比前年多了多少？", "产量"),
        ("一年生产了多少辆汽车？", "产量"),
        ("辽宁去年造的新能源车比前年多了多少？", "新能源汽车"),
        ("烟台去年城里新增了多少人就业？", "城镇"),
    ],
)
def test_everyday_names_of_standard_indicators(question: str, printed: str) -> None:
    assert printed in zh.indicator_aliases(question)
    assert printed in zh.with_report_names(question)


@pytest.mark.parametrize(
    "question, sentence, passes",
    [
        (
            "2023年济宁实际利用外资增长了多少？",
            "外贸进出口达到975亿元、增长15%，实际利用外资10.6亿美元",
            False,
        ),
        ("2023年淮北外贸进出口总额增长了多少？", "全市外贸进出口总额达14.8亿美元", False),
        ("云南去年来旅居的人多了多少？", "2025年旅居人数超550万、平均居住83天", False),
        ("云南去年来旅居的人多了多少？", "旅居人数增长41.4%，接待入境过夜游客增长51.8%", True),
        (
            "2023年淮安地区生产总值增长了多少？",
            "地区生产总值增速快于全省的势头不断巩固，全年增长7.8%",
            True,
        ),
        ("乌鲁木齐去年空气优良的天数增加了多少？", "全年空气质量优良天数达299天、增加14天", True),
        ("低保标准提高了多少？", "低保最低月标准提高到1190元", True),
        # an increment asked in a unit is an amount: not this check's business
        ("2023年济宁实际利用外资增加了多少亿美元？", "实际利用外资10.6亿美元", True),
        ("固定资产投资增速在全省排第几？", "固定资产投资总额居全省第3位", True),
    ],
)
def test_a_growth_asked_is_not_an_amount(question: str, sentence: str, passes: bool) -> None:
    assert check_growth(analyse(question), sentence, "", CITY_2024).passed is passes


@pytest.mark.parametrize(
    "question, sentence, passes",
    [
        (
            "2025年辽宁地区生产总值增长了多少？",
            "沿海经济带协同效应显现，海洋生产总值增长6%左右",
            False,
        ),
        ("2025年辽宁地区生产总值是多少？", "人均地区生产总值突破10万元", False),
        ("2025年辽宁固定资产投资增长了多少？", "基础设施投资、工业投资分别增长3.2%、8.5%", False),
        ("2023年潍坊出口增长了多少？", "全市进出口总额稳定增长，其中进口增长17.1%", False),
        ("2025年辽宁地区生产总值增长了多少？", "全省经济稳中有进，地区生产总值增长3.7%", True),
        ("2025年辽宁地区生产总值是多少？", "全市地区生产总值达到33757.93亿元、增长5.3%", True),
        ("2025年辽宁地区生产总值是多少？", "我省地区生产总值达到3.2万亿元", True),
        ("2025年辽宁人均地区生产总值是多少？", "人均地区生产总值突破10万元", True),
        ("2025年辽宁固定资产投资增长了多少？", "固定资产投资增长5%，工业投资增长8.5%", True),
        ("2023年潍坊进出口总额增长了多少？", "全市进出口总额增长5%", True),
        ("2023年潍坊出口增长了多少？", "出口增长3.1%，进出口总额增长5%", True),
        ("2024年行政复议调解率是多少？", "新收行政复议案件120件,调解率达50.6%", True),
        ("2023年抚州GDP增长了多少？", "工业对GDP增长的贡献率达到53.4%", False),
        ("2023年抚州GDP增长了多少？", "全市GDP增长6.3%，对全省经济增长贡献率达13%", True),
        ("2023年南宁GDP增长了多少？", "GDP增长4.0%，消费对GDP增长的贡献率达60%", True),
        ("工业对GDP增长的贡献率是多少？", "工业对GDP增长的贡献率达到53.4%", True),
    ],
)
def test_a_qualified_kind_of_the_thing_asked_is_another_thing(
    question: str, sentence: str, passes: bool
) -> None:
    assert check_qualified(analyse(question), sentence, "", PROVINCE_2026).passed is passes


@pytest.mark.parametrize(
    "question, sentence, pair",
    [
        ("2023年规上工业营业收入增长了多少？", "规上工业利润总额增长22.3%", ("营业收入", "利润")),
        ("规上工业企业营业收入增长了多少？", "规上工业增加值增长1.3％", ("营业收入", "增加值")),
        ("规上工业增加值增长了多少？", "规上工业增加值增长1.3％，利润增长5%", None),
    ],
)
def test_the_measures_of_a_sector_are_neighbours(
    question: str, sentence: str, pair: tuple[str, str] | None
) -> None:
    assert contrasted(question, sentence) == pair


@pytest.mark.parametrize(
    "paragraph, lead",
    [
        ("这五年，是跨越发展的五年。全市工业经济总量突破3万亿元。", "这五年，是跨越发展的五年。"),
        ("五年来，我们砥砺前行。人均地区生产总值突破10万元。", "五年来，我们砥砺前行。"),
        ("过去一年，我们砥砺前行。地区生产总值增长5.3%。", ""),
        (
            "我们迎难而上，实干争先。这五年，是跨越发展的五年。人均地区生产总值突破10万元。",
            "这五年，是跨越发展的五年。",
        ),
        ("五年来累计增长25%。我们迎难而上。地区生产总值增长5.3%。", ""),
    ],
)
def test_a_paragraph_opened_by_a_period_speaks_of_it(paragraph: str, lead: str) -> None:
    text = "一、工作回顾\n" + paragraph
    assert period_lead(text, text.rindex("。", 0, len(text) - 1) + 1) == lead


@pytest.mark.parametrize(
    "question", ["你这里能查到哪些城市的报告？", "可以查些什么？", "都有哪些省份的报告？"]
)
def test_more_ways_to_ask_what_the_tool_holds(question: str) -> None:
    assert smalltalk.classify(question) == "help"


@pytest.mark.parametrize(
    "opening",
    ["向大会作政府工作报告", "向大会作工作报告", "向大会做政府工作报告", "向大会报告工作"],
)
def test_the_openings_of_a_work_report(opening: str) -> None:
    body = f"各位代表：\n现在，我代表市人民政府，{opening}，请予审议。\n一、2023年工作回顾\n"
    meta = detect_meta("", "永州", {}, body)
    assert meta.kind == "政府工作报告"
    assert meta.years == [2023, 2024]
