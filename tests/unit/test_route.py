"""Routing a question to the reports it is about, on hand-made report scopes: short place forms
and which reports a question names."""

from __future__ import annotations

import pytest

from reportqa.records import ReportInfo
from reportqa.search.route import place_forms, route

SCOPES = {
    "jinghu": ReportInfo(
        "镜湖区人民政府关于2024年法治政府建设情况的报告", ("芜湖市", "镜湖区"), (2024,)
    ),
    "guangming": ReportInfo("深圳市光明区…2021年度…", ("深圳市", "光明区"), (2021,)),
    "longhua": ReportInfo("深圳市龙华区2019年…", ("深圳市", "龙华区"), (2019,)),
    "xiamen": ReportInfo("厦门市2024年政府工作报告", ("厦门市",), (2023, 2024)),
}


def test_short_place_forms() -> None:
    assert place_forms("镜湖区") == {"镜湖区", "镜湖"}
    assert place_forms("深圳市") == {"深圳市", "深圳"}
    assert place_forms("广西壮族自治区") == {"广西壮族自治区", "广西"}  # as questions call it
    assert place_forms("沙区") == {"沙区"}


@pytest.mark.parametrize(
    ("question", "places", "years", "expected"),
    [
        ("镜湖2024年调解多少件", [], [2024], {"jinghu"}),
        ("芜湖市调解多少件", ["芜湖市"], [], {"jinghu"}),
        ("深圳的行政复议情况", ["深圳"], [], {"guangming", "longhua"}),
        ("深圳2019年行政复议情况", ["深圳"], [2019], {"longhua"}),
        ("深圳2024年行政复议情况", ["深圳"], [2024], {"guangming", "longhua"}),
        ("2023年国有企业资产总额增长多少", [], [2023], {"xiamen"}),
        ("2024年调解多少件", [], [2024], {"jinghu", "xiamen"}),
        ("北京市的情况", ["北京市"], [], None),
        ("行政复议情况", [], [], None),
        ("2030年目标", [], [2030], None),
    ],
)
def test_route(
    question: str, places: list[str], years: list[int], expected: set[str] | None
) -> None:
    assert route(question, places, years, SCOPES) == expected
