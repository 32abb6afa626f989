"""Metadata from the report itself: title line, else file name, else body; each with its source."""

from __future__ import annotations

import pytest

from reportqa.ingest.metadata import detect_meta

WORK_BODY = (
    "各位代表：\n现在，我代表市人民政府，向大会报告政府工作，请予审议。\n一、2023年工作回顾\n"
)


@pytest.mark.parametrize(
    "stem, places, years",
    [
        ("2026_上海市_政府工作报告", ["上海市"], [2025, 2026]),
        # the body never says 厦门市, but 我代表市人民政府: the report of a city
        ("厦门", ["厦门市"], [2023, 2024]),
        ("镜湖区2023年政府工作报告", ["镜湖区"], [2022, 2023]),
        ("镜湖区政府工作报告（2018）", ["镜湖区"], [2017, 2018]),
    ],
)
def test_place_and_years_from_the_file_name(stem: str, places: list[str], years: list[int]) -> None:
    meta = detect_meta("", stem, {}, WORK_BODY)
    assert meta.places == places
    assert meta.sources["places"] == "file name"
    assert meta.kind == "政府工作报告"
    assert meta.years == years
    # the file name gives the year when it has one; else the body's 2023年工作回顾 does
    assert meta.sources["years"] == ("body" if stem == "厦门" else "file name")


def test_title_line_below_web_page_buttons() -> None:
    body = "下载\n打印\n2026年上海市政府工作报告\n——2026年2月3日在上海市第十六届人民代表大会上\n各位代表：\n"
    meta = detect_meta("下载打印", "anything", {}, body)
    assert meta.title == "2026年上海市政府工作报告"
    assert meta.places == ["上海市"] and meta.years == [2025, 2026]
    assert meta.sources == {
        "title": "title line",
        "kind": "title line",
        "places": "title line",
        "years": "title line",
    }


def test_place_from_the_body() -> None:
    body = "现将有关情况报告如下：\n" + "光明区推进法治建设。" * 3 + "深圳市的要求。"
    meta = detect_meta("", "shenzhen-guangming-2021-fazhi", {}, body)
    assert meta.places == ["光明区"] and meta.sources["places"] == "body"
    assert meta.years == [2021] and meta.sources["years"] == "file name"


def test_unknown_stays_unknown() -> None:
    meta = detect_meta("", "report", {}, "现将有关情况报告如下：\n工作平稳推进。")
    assert meta.places == [] and meta.years == [] and meta.kind == ""
    assert "places" not in meta.sources and "years" not in meta.sources


def test_a_sidecar_wins_and_says_so() -> None:
    meta = detect_meta("", "jinghu", {"places": ["芜湖市", "镜湖区"]}, WORK_BODY)
    assert meta.places == ["芜湖市", "镜湖区"] and meta.sources["places"] == "sidecar"


def test_reports_listing_shows_where_each_field_came_from() -> None:
    from reportqa.cli.manage_cmd import format_row

    meta = detect_meta(
        "", "南京", {}, "现在，我代表南京市人民政府向大会报告工作。\n一、2023年工作回顾\n"
    )
    row = {"id": "南京", "chunks": 3, "chars": 90, "pages": None, "file": "南京.docx"}
    text = format_row(row | meta.to_dict())
    assert "南京市 (file name)" in text and "2023、2024 (body)" in text
    assert "政府工作报告 (body)" in text and "《南京》 (file name)" in text
    unknown = format_row(row | detect_meta("", "report", {}, "工作平稳。").to_dict())
    assert "| ? | ? |" in unknown


@pytest.mark.parametrize(
    "stem, body, places",
    [
        # 州 ends the names of cities (广州市, 杭州市) and of prefectures (凉山州, 黔西南州)
        ("广州", WORK_BODY, ["广州市"]),
        ("杭州", "现在，我代表市人民政府向大会报告工作。", ["杭州市"]),
        ("扬州", "现在，我代表扬州市人民政府向大会报告工作。扬州市经济运行稳中有进。", ["扬州市"]),
        ("凉山", "现在，我代表州人民政府向大会报告工作。", ["凉山州"]),
        ("黔西南州", "现在，我代表州人民政府向大会报告工作。", ["黔西南州"]),
        # a report that says neither keeps the name as the file gives it
        ("德州", "现将有关情况报告如下。", ["德州"]),
        # the file 黄山 holds the report of 黄山区 (黄山市's district): its body says so
        (
            "黄山",
            "现在，我代表区人民政府向大会报告工作。黄山区发展史上极不寻常的一年。",
            ["黄山区"],
        ),
    ],
)
def test_a_city_named_with_zhou_gets_its_shi(stem: str, body: str, places: list[str]) -> None:
    meta = detect_meta("", stem, {}, body)
    assert meta.places == places and meta.sources["places"] == "file name"
    assert meta.issuer == places[0] + "人民政府"


def test_a_report_that_opens_with_its_review_part_is_a_work_report() -> None:
    # As 阿坝's does: no title line, no greeting, the first line heads the review of 2023.
    body = "2023年工作回顾\n刚刚过去的2023年，是开局之年。\n2024年工作安排\n今年要稳增长。\n"
    meta = detect_meta("", "阿坝", {}, body)
    assert meta.title == "阿坝"
    assert (meta.kind, meta.years) == ("政府工作报告", [2023, 2024])
    assert meta.sources["kind"] == meta.sources["years"] == "body"


def test_places_a_server_learned_change_no_detection() -> None:
    # A running server teaches the segmenter its index's places; a report indexed afterwards
    # (an upload) must get the metadata a fresh `reportqa index` gives it. The shipped dictionary
    # has 百色 as a noun (so the body alone does not name it a place) and 天门 as a place, but
    # not 天门市, which learning makes one word.
    from reportqa.answer.question import learn_place_names

    bodies = [
        "各位代表：\n百色的发展取得新成效。百色经济总量增长。百色人民生活改善。百色面貌一新。\n",
        "各位代表：\n天门的发展取得新成效。天门市经济总量增长。天门人民生活改善。九真面貌一新。\n",
    ]
    before = [detect_meta("", "report-1", {}, body).places for body in bodies]
    learn_place_names(["百色市", "天门市"])
    after = [detect_meta("", "report-1", {}, body).places for body in bodies]
    assert after == before
