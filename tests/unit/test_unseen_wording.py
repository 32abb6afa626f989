"""Table tests of the rules written for reports and wordings not seen before: autonomous regions by
their everyday names, a province framing a city's rank, period figures, neighbouring subjects, an
amount asked where a growth rate is given, lists of targets, questions that ask two things, the
report's own administrative level, and the most specific place a question names.

Each row is a form found on reports the rules were not written for; each expects a verdict.
"""

from __future__ import annotations

import pytest

from reportqa.answer import smalltalk
from reportqa.answer.evidence import (
    ReportInfo,
    asked_head,
    check_figure_of_subject,
    check_modifier,
    check_period,
    check_place,
    check_time_kind,
    contrasted,
    with_target_lead,
)
from reportqa.answer.multipart import merge, split_parts
from reportqa.answer.question import analyse, content_tokens
from reportqa.ingest.metadata import with_suffix, years_in_body
from reportqa.lang import zh
from reportqa.records import Answer, Citation
from reportqa.search.route import route

CITY_2024 = ReportInfo("临沂", ("临沂市",), (2023, 2024), "政府工作报告")
PROVINCE_2026 = ReportInfo(
    "2026年宁夏回族自治区政府工作报告", ("宁夏回族自治区",), (2025, 2026), "政府工作报告"
)


@pytest.mark.parametrize(
    "place, short",
    [
        ("广西壮族自治区", "广西"),
        ("宁夏回族自治区", "宁夏"),
        ("新疆维吾尔自治区", "新疆"),
        ("内蒙古自治区", "内蒙古"),
        ("凉山彝族自治州", "凉山"),
        ("黔东南苗族侗族自治州", "黔东南"),
        ("恩施土家族苗族自治州", "恩施"),
        ("镜湖区", "镜湖"),
        ("沙区", "沙区"),
    ],
)
def test_autonomous_units_go_by_their_everyday_names(place: str, short: str) -> None:
    assert zh.strip_admin_suffix(place) == short


def test_a_question_naming_guangxi_is_routed_to_the_autonomous_regions_report() -> None:
    reports = {
        "gx": ReportInfo("2026年广西壮族自治区政府工作报告", ("广西壮族自治区",), (2025, 2026)),
        "fcg": ReportInfo("防城港", ("防城港市",), (2023, 2024)),
    }
    assert route("广西外贸进出口总额在西部排第几？", ["广西"], [], reports) == {"gx"}


@pytest.mark.parametrize(
    "question",
    ["孝感地区生产总值增速在湖北排第几？", "孝感市地区生产总值增速在湖北省排第几？"],
)
def test_the_most_specific_place_named_chooses_the_report(question: str) -> None:
    reports = {
        "hb": ReportInfo("2026年湖北省政府工作报告", ("湖北省",), (2025, 2026)),
        "xg": ReportInfo("孝感", ("孝感市",), (2023, 2024)),
        "wh": ReportInfo("武汉", ("武汉市",), (2023, 2024)),
    }
    places = [p for p in ("孝感", "湖北", "孝感市", "湖北省") if p in question]
    assert route(question, places, [], reports) == {"xg"}
    # two places of one level: both are asked about
    assert route("武汉和孝感的GDP", ["武汉", "孝感"], [], reports) == {"wh", "xg"}


@pytest.mark.parametrize(
    "question, passes",
    [
        ("临沂规上工业总产值增速在山东排第几？", True),
        ("临沂规上工业总产值增速在山东省排第几？", True),
        ("枣庄规上工业总产值增速排第几？", False),
    ],
)
def test_a_province_frames_a_citys_rank(question: str, passes: bool) -> None:
    facts = analyse(question)
    sentence = "规上工业总产值突破8000亿元，增长9.4%、居全省第1位"
    assert check_place(facts, sentence, "", CITY_2024).passed is passes


@pytest.mark.parametrize(
    "sentence, passing",
    [
        ("人均GDP从2020年的5.2万元提高到2025年的7.4万元", set()),
        ("全年GDP增长4%，快于2024年1.8个百分点", {2024}),
        ("从2020年起实施", {2020}),
        ("较2019年同期增长20%", {2019}),
    ],
)
def test_a_year_with_its_own_figure_is_not_in_passing(sentence: str, passing: set[int]) -> None:
    assert zh.passing_years(sentence) == passing


@pytest.mark.parametrize(
    "question, offsets",
    [
        ("江西去年游客花钱比前年多了多少？", {-1}),
        ("去年旅游总花费较上年增长多少？", {-1}),
        ("前年粮食产量是多少？", {-2}),
        ("今年的目标是多少？", {0}),
    ],
)
def test_a_relative_year_compared_with_is_not_asked(question: str, offsets: set[int]) -> None:
    assert zh.asked_relative_years(question) == offsets
    assert set(analyse(question).relative_years) == offsets


@pytest.mark.parametrize(
    "question",
    [
        "嘉兴2024年研发投入占GDP的比重要达到多少？",
        "云南2026年城镇调查失业率要控制在多少以内？",
        "2026年宁夏社会消费品零售总额预期增长多少？",
    ],
)
def test_wordings_that_ask_for_a_target(question: str) -> None:
    assert analyse(question).asks_target


@pytest.mark.parametrize(
    "question, sentence, passes",
    [
        ("2025年宁夏地区生产总值是多少？", "地区生产总值跨越5000亿元大关，年均增长5.7%", False),
        ("2025年山西GDP增长了多少？", "地区生产总值超过2.5万亿元、年均增长5%", False),
        ("“十四五”期间宁夏地区生产总值年均增长多少？", "地区生产总值年均增长5.7%", True),
        ("宁夏近五年地区生产总值年均增长多少？", "地区生产总值年均增长5.7%", True),
        ("2025年宁夏地区生产总值是多少？", "全年实现地区生产总值5696亿元，增长5.3%", True),
        ("2025年累计兑付多少资金？", "2025年累计兑付资金1.2亿元", True),
    ],
)
def test_a_figure_over_several_years_is_not_one_years(
    question: str, sentence: str, passes: bool
) -> None:
    assert check_period(analyse(question), sentence, "", PROVINCE_2026).passed is passes


@pytest.mark.parametrize(
    "question, sentence, pair",
    [
        (
            "2025年江西集成电路进口增长了多少？",
            "集成电路、汽车零配件、锂电池出口分别增长107.9%",
            ("进口", "出口"),
        ),
        (
            "2025年江西集成电路出口增长了多少？",
            "集成电路、汽车零配件、锂电池出口分别增长107.9%",
            None,
        ),
        ("2025年广西进出口总额是多少？", "外贸进出口增长8.4%，总额突破8000亿元", None),
        ("东营有多少家企业入围世界500强？", "11家企业入围中国企业500强", ("世界", "中国")),
        (
            "2025年宁波舟山港货物吞吐量是多少？",
            "宁波舟山港集装箱吞吐量4387万标箱",
            ("货物", "集装箱"),
        ),
        ("2023年吉林市生猪出栏多少头？", "生猪饲养量达到385万头", ("出栏", "饲养量")),
        ("城镇居民人均可支配收入增长多少？", "农村居民人均可支配收入增长7%", ("城镇", "农村")),
        # 城乡 names both: "城乡居民收入分别增长5.3%、7%" answers either
        (
            "城镇居民人均可支配收入增长多少？",
            "城乡居民人均可支配收入分别增长5.3%、7%，其中农村居民",
            None,
        ),
    ],
)
def test_a_neighbouring_subject_is_not_the_one_asked(
    question: str, sentence: str, pair: tuple[str, str] | None
) -> None:
    assert contrasted(question, sentence) == pair


@pytest.mark.parametrize(
    "question, head",
    [
        ("2023年临沂民间投资总额是多少亿元？", ("民间", "投资")),
        ("2023年嘉兴服务业增加值是多少亿元？", ("服务业", "增加值")),
        ("2025年云南货物贸易进出口总额是多少亿元？", ("货物贸易", "进出口")),
        ("2025年云南省地区生产总值是多少？", ()),  # no unit asked: any figure may answer
        ("孝感“四上”企业有多少家？", ()),  # a count, not an amount
    ],
)
def test_the_thing_whose_amount_is_asked(question: str, head: tuple[str, ...]) -> None:
    assert asked_head(question) == head


@pytest.mark.parametrize(
    "question, sentence, passes",
    [
        (
            "2025年云南货物贸易进出口总额是多少亿元？",
            "完成地区生产总值32765亿元、增长4.1%，货物贸易进出口总额增长10.2%",
            False,
        ),
        (
            "2023年临沂民间投资总额是多少亿元？",
            "固定资产投资增长6.5%，其中民间投资增长11.1%",
            False,
        ),
        ("2023年嘉兴服务业增加值是多少亿元？", "服务业增加值达到3500亿元，增长6%", True),
        # the sentence does not name the thing: a paraphrase, judged by the other checks
        ("2023年临沂民营经济投资是多少亿元？", "民间投资完成900亿元", True),
    ],
)
def test_an_amount_must_stand_with_the_thing_asked(
    question: str, sentence: str, passes: bool
) -> None:
    facts = analyse(question)
    assert check_figure_of_subject(facts, sentence, "", CITY_2024).passed is passes


def test_an_item_of_a_list_of_targets_is_a_target() -> None:
    text = (
        "2024年经济社会发展主要预期目标是：地区生产总值增长7.5%左右；"
        "新增城镇就业10.3万人，城镇调查失业率控制在5.5%以内；居民消费价格涨幅保持在3%以内。"
    )
    start = text.index("新增")
    end = text.index("；", start)
    led = with_target_lead(text, start, end)
    assert led.startswith("2024年经济社会发展主要预期目标是：") and led.endswith("5.5%以内")
    facts = analyse("2024年乌鲁木齐新增城镇就业目标是多少？")
    city = ReportInfo("乌鲁木齐", ("乌鲁木齐市",), (2023, 2024), "政府工作报告")
    assert check_time_kind(facts, led, "五、民生保障持续加强", city).passed
    # a sentence of the review is not led by a later list of targets
    review = "城镇新增就业10.3万人。2024年主要预期目标是：增长5%"
    assert with_target_lead(review, 0, review.index("。")) == "城镇新增就业10.3万人"


@pytest.mark.parametrize(
    "question, parts",
    [
        (
            "四川2025年地区生产总值是多少？2026年增长目标是多少？",
            ["四川2025年地区生产总值是多少？", "四川地区生产总值，2026年增长目标是多少？"],
        ),
        (
            "浙江人均地区生产总值2020年是多少？2025年是多少？",
            ["浙江人均地区生产总值2020年是多少？", "浙江人均地区生产总值，2025年是多少？"],
        ),
        (
            "镜湖区2024年制定了几件区政府行政规范性文件？报备率是多少？",
            [
                "镜湖区2024年制定了几件区政府行政规范性文件？",
                "镜湖区2024年制定了区政府行政规范性文件，报备率是多少？",
            ],
        ),
        ("2025年上海GDP是多少？", ["2025年上海GDP是多少？"]),
        ("你好？在吗？", ["你好？在吗？"]),  # no ask in each part: one question
    ],
)
def test_a_question_asking_two_things_is_asked_part_by_part(
    question: str, parts: list[str]
) -> None:
    assert split_parts(question) == parts


def _cited(text: str, n: int, start: int) -> Answer:
    citation = Citation(
        n, "r", "t", "s", start, start + 10, "x" * 10, 1.0, highlights=((start, start + 2),)
    )
    return Answer("q", f"{text}[{n}]。", False, [citation])


def test_the_answers_to_the_parts_are_merged_and_renumbered() -> None:
    refused = Answer(
        "q2", "根据已收录的报告，无法回答这个问题：报告中没有2026年的相关内容。", True, []
    )
    merged = merge("q", [_cited("67665亿元", 1, 0), _cited("5.5%左右", 1, 50), refused])
    assert not merged.refused
    assert merged.answer.startswith("67665亿元[1]。5.5%左右[2]。")
    assert [c.n for c in merged.citations] == [1, 2]
    # the same passage cited by two parts is one citation
    same = merge("q", [_cited("a", 1, 0), _cited("b", 1, 0)])
    assert same.answer == "a[1]。b[1]。" and len(same.citations) == 1
    assert merge("q", [refused, refused]).refused


@pytest.mark.parametrize(
    "place, text, full",
    [
        ("东营", "我代表市人民政府向大会报告工作。东营区、河口区……", "东营市"),
        ("凉山", "现在，我代表州人民政府，向大会报告工作", "凉山州"),
        ("厦门", "厦门市……厦门市", "厦门市"),
        ("镜湖区", "我代表市人民政府", "镜湖区"),
    ],
)
def test_a_bare_place_takes_the_reports_own_level(place: str, text: str, full: str) -> None:
    assert with_suffix(place, text) == full


@pytest.mark.parametrize(
    "body, years",
    [
        ("各位代表：\n2023年政府工作回顾\n……\n2024年主要目标和重点任务", [2023, 2024]),
        ("各位代表：\n一、2023年工作回顾\n", [2023, 2024]),
        ("各位代表：\n二、2024年工作安排\n", [2023, 2024]),
    ],
)
def test_a_work_reports_years_from_its_body(body: str, years: list[int]) -> None:
    assert years_in_body(body) == years


@pytest.mark.parametrize(
    "question, kind",
    [
        ("今天股市行情怎么样？", "out_of_domain"),
        ("推荐几部好看的电影", "out_of_domain"),
        ("2023年全市电影票房是多少？", None),
        ("股份制改革完成了多少家？", None),
    ],
)
def test_more_questions_not_about_the_reports(question: str, kind: str | None) -> None:
    assert smalltalk.classify(question) == kind


def test_what_a_name_refers_to_is_asked_by_its_name() -> None:
    tokens = content_tokens("亳州说的“334”工程是指什么？")
    assert "说" not in tokens and "指" not in tokens and "334" in tokens


@pytest.mark.parametrize(
    "question, sentence, passes",
    [
        (
            "2023年六盘水规上工业企业营业收入增长了多少？",
            "规上科学研究和技术服务业营业收入增长18.9％",
            False,
        ),
        ("2023年六盘水规上工业企业营业收入增长了多少？", "规上工业企业营业收入增长9％", True),
        ("凉山第一产业增加值是多少？", "第二产业增加值779.4亿元、增长7.1%", False),
        ("凉山第一产业增加值是多少？", "第一产业增加值503.4亿元、增长4.3%", True),
        # a qualifier that leaves the thing the same: 全省生产总值 is the 地区生产总值 asked
        ("2025年浙江地区生产总值增长多少？", "全省生产总值增长5.5%", True),
        # words that are not one compound qualify nothing
        ("政府工作人员去法院旁听庭审的有多少人次？", "组织旁听法院庭审120人次", True),
    ],
)
def test_the_qualifier_of_the_thing_asked(question: str, sentence: str, passes: bool) -> None:
    assert check_modifier(analyse(question), sentence, "", CITY_2024).passed is passes


@pytest.mark.parametrize(
    "question, sentence, passes",
    [
        (
            "2025年上海市全市生产总值是多少？",
            "全社会研发经费支出相当于全市生产总值的比例达到4.5%左右",
            False,
        ),
        ("2025年上海市全市生产总值是多少？", "全市生产总值达到5.67万亿元、增长5.4%", True),
        (
            "研发经费支出相当于全市生产总值的比例是多少？",
            "全社会研发经费支出相当于全市生产总值的比例达到4.5%左右",
            True,
        ),
        ("2023年合肥进出口总额是多少亿元？", "授信总额突破2000亿元、惠及企业17万户次", False),
    ],
)
def test_the_whole_a_share_is_taken_of_is_not_the_thing_measured(
    question: str, sentence: str, passes: bool
) -> None:
    assert check_figure_of_subject(analyse(question), sentence, "", CITY_2024).passed is passes


@pytest.mark.parametrize(
    "place, level",
    [("贵州", "省"), ("广州", "州"), ("凉山州", "州"), ("山东", "省"), ("六盘水", None)],
)
def test_a_province_is_a_province_whatever_its_last_character(
    place: str, level: str | None
) -> None:
    assert zh.admin_level(place) == level


@pytest.mark.parametrize(
    "question, sentence, passes",
    [
        ("2023年北海工业投资总额是多少亿元？", "在建百亿级工业项目16个、其中新开工5个", False),
        (
            "2023年孝感工业总产值是多少亿元？",
            "粮食总产47.7亿斤，规上农产品加工业产值1300亿元",
            False,
        ),
        ("2023年临沂民营经济投资是多少亿元？", "民间投资完成900亿元", True),
    ],
)
def test_the_thing_itself_must_be_named_for_its_amount(
    question: str, sentence: str, passes: bool
) -> None:
    assert check_figure_of_subject(analyse(question), sentence, "", CITY_2024).passed is passes
