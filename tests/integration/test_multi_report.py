"""Six real reports in one index: their metadata, questions answered from the right report, and
near misses (right topic, wrong place or year) refused."""

from __future__ import annotations

import pytest

EXPECTED_META = {
    "jinghu-2024-fazhi": ("镜湖区人民政府关于2024年法治政府建设情况的报告", "镜湖区", [2024], "法治政府建设情况报告", "镜湖区人民政府"),
    "huaian-2024-xxgk-nianbao": ("淮安市人民政府2024年政府信息公开工作年度报告", "淮安市", [2024], "政府信息公开工作年度报告", "淮安市人民政府"),
    "shenzhen-guangming-2021-fazhi": ("深圳市光明区人民政府关于2021年度法治政府建设情况的报告", "光明区", [2021], "法治政府建设情况报告", "深圳市光明区人民政府"),
    "shenzhen-longhua-2019-fazhi": ("深圳市龙华区2019年法治政府建设工作报告", "龙华区", [2019], "法治政府建设工作报告", "深圳市龙华区人民政府"),
    "xiamen-2024-zfgzbg": ("厦门市2024年政府工作报告", "厦门市", [2023, 2024], "政府工作报告", "厦门市人民政府"),
    "anhui-2026-zfgzbg": ("2026年安徽省政府工作报告", "安徽省", [2025, 2026], "政府工作报告", "安徽省人民政府"),
}  # fmt: skip

ANSWERABLE = [
    ("镜湖区2024年全区共调解矛盾纠纷多少件？", "jinghu-2024-fazhi", "4515"),
    ("淮安市2024年市政府网站主动公开各类政府信息多少条？", "huaian-2024-xxgk-nianbao", "5500"),
    ("光明区2021年共印发区政府规范性文件多少份？", "shenzhen-guangming-2021-fazhi", "11份"),
    ("龙华区2019年以来共接到来电投诉多少宗？", "shenzhen-longhua-2019-fazhi", "270"),
    ("厦门2023年市属国有企业资产总额增长多少？", "xiamen-2024-zfgzbg", "14%"),
    ("安徽省2025年量子计算研发平台有什么进展？", "anhui-2026-zfgzbg", "量子计算研发平台"),
]

NEAR_MISSES = [
    "镜湖区2023年全区共调解矛盾纠纷多少件？",  # right place, a year the report does not cover
    "光明区2024年全区共调解矛盾纠纷多少件？",  # the 镜湖区 2024 figure, asked of another district
    "深圳市2024年共印发区政府规范性文件多少份？",
    "光明区2019年共印发区政府规范性文件多少份？",
    "龙华区2021年以来共接到来电投诉多少宗？",
    "淮安市2023年市政府网站主动公开各类政府信息多少条？",
    "北京市2024年全区共调解矛盾纠纷多少件？",  # a place no report covers
    "厦门2030年市属国有企业资产总额增长多少？",  # a year no report covers
]


@pytest.mark.parametrize("rid", sorted(EXPECTED_META))
def test_metadata_of_each_report(all_engine, rid: str) -> None:  # type: ignore[no-untyped-def]
    title, place, years, kind, issuer = EXPECTED_META[rid]
    entry = all_engine.manifest.reports[rid]
    assert entry.title == title
    assert place in entry.places
    assert list(entry.years) == years
    assert entry.kind == kind
    assert entry.issuer == issuer
    assert entry.chunks > 0


@pytest.mark.parametrize(("question", "rid", "needle"), ANSWERABLE)
def test_each_report_answers_its_own_questions(
    all_engine, question: str, rid: str, needle: str
) -> None:  # type: ignore[no-untyped-def]
    answer = all_engine.ask(question)
    assert not answer.refused, answer.answer
    assert needle in answer.answer
    assert {c.report for c in answer.citations} == {rid}
    for c in answer.citations:
        assert all_engine.texts[c.report][c.start : c.end] == c.text


@pytest.mark.parametrize("question", NEAR_MISSES)
def test_near_misses_are_refused(all_engine, question: str) -> None:  # type: ignore[no-untyped-def]
    answer = all_engine.ask(question)
    assert answer.refused, answer.answer
    assert answer.citations == []


def test_a_place_only_question_never_uses_another_place_report(all_engine) -> None:  # type: ignore[no-untyped-def]
    hits = all_engine.retrieve("镜湖区2024年行政复议情况", top_k=10)
    assert hits and {h.chunk.report for h in hits} == {"jinghu-2024-fazhi"}


def test_explicit_report_choice_wins_over_routing(all_engine) -> None:  # type: ignore[no-untyped-def]
    hits = all_engine.retrieve("镜湖区2024年行政复议情况", top_k=5, reports=["xiamen-2024-zfgzbg"])
    assert {h.chunk.report for h in hits} == {"xiamen-2024-zfgzbg"}


# Routing as a pure function over metadata.
