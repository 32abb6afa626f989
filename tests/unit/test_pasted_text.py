"""Reports as users have them: text pasted into Word as one paragraph, and work reports whose parts
are headed without a number ("2023年工作回顾"). Headings are found inside the long paragraph and
every offset still indexes into the text unchanged."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paths import SEEDS
from reportqa.ingest.parse import chunk_report, paragraphs, parse_report, section_title_end
from test_parse import assert_exact_and_complete

XIAMEN = SEEDS / "xiamen-2024-zfgzbg.txt"


def headings(text: str) -> list[tuple[int, str]]:
    """(level, heading text) of every heading line the parser finds."""
    return [
        (len(u.path), text[u.start : u.end].rstrip("。"))
        for u in parse_report(text).units
        if u.is_heading
    ]


def pasted(text: str, joiner: str) -> str:
    """The report as Word shows it after a paste that lost the line breaks: one paragraph."""
    return joiner.join(line.strip() for line in text.splitlines() if line.strip()) + "\n"


def assert_exact(text: str) -> None:
    chunks = chunk_report("r", text)
    assert chunks
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text


@pytest.mark.parametrize("joiner", ["\u3000\u3000", "  "])
def test_a_paste_that_kept_the_indents_has_the_headings_of_the_lines(joiner: str) -> None:
    original = XIAMEN.read_text(encoding="utf-8")
    text = pasted(original, joiner)
    assert len(text.splitlines()) == 1
    assert headings(text) == headings(original)
    assert_exact(text)


def test_a_paste_without_any_mark_still_has_its_parts_and_their_years() -> None:
    original = XIAMEN.read_text(encoding="utf-8")
    text = pasted(original, "")
    found = headings(text)
    top = [name for level, name in found if level == 1]
    assert top[:2] == ["一、2023年工作回顾", "二、2024年主要工作"]
    # Each numbered sub-heading is found where it starts (its text runs into the next sentence).
    subs = [name for level, name in headings(original) if level == 2]
    found_subs = [name for level, name in found if level == 2]
    assert len(found_subs) == len(subs)
    assert all(f.startswith(s) for f, s in zip(found_subs, subs, strict=True))
    assert_exact(text)
    # A sentence of the plan sits under the 2024 part, as it does in the original.
    units = parse_report(text).units
    target = text.index("地区生产总值增长5.5%左右")
    unit = next(u for u in units if u.start <= target < u.end)
    assert unit.path[0] == "二、2024年主要工作"


def test_unnumbered_section_titles_head_their_parts() -> None:
    text = (
        "各位代表：\n现在，我代表市人民政府，向大会报告工作。\n2023年工作回顾\n"
        "2023年是极不平凡的一年。\n一、经济发展稳中有进\n地区生产总值增长5.5%。\n"
        "2024年重点工作安排建议\n一、始终把稳增长摆在首位\n地区生产总值增长6%左右。\n"
        "加强政府自身建设\n我们要坚持依法行政。\n"
    )
    assert headings(text) == [
        (1, "2023年工作回顾"),
        (2, "一、经济发展稳中有进"),
        (1, "2024年重点工作安排建议"),
        (2, "一、始终把稳增长摆在首位"),
        (1, "加强政府自身建设"),
    ]
    plan = next(u for u in parse_report(text).units if text[u.start : u.end].endswith("左右。"))
    assert plan.path == ("2024年重点工作安排建议", "一、始终把稳增长摆在首位")


def test_a_section_title_is_not_the_report_title() -> None:
    text = "2023年工作回顾\n刚刚过去的2023年，是开局之年。\n2024年工作安排\n今年要稳增长。\n"
    parsed = parse_report(text)
    assert parsed.title == ""
    assert headings(text) == [(1, "2023年工作回顾"), (1, "2024年工作安排")]


@pytest.mark.parametrize(
    ("line", "inline", "title"),
    [
        ("2023年工作回顾", False, "2023年工作回顾"),
        ("2024年政府工作的总体要求和主要目标", False, "2024年政府工作的总体要求和主要目标"),
        ("2024年主要工作安排", False, "2024年主要工作安排"),
        ("过去五年工作回顾", False, "过去五年工作回顾"),
        ("切实加强政府自身建设", False, "切实加强政府自身建设"),
        ("2023年工作回顾2023年是开局之年。", True, "2023年工作回顾"),
        ("2024年工作安排建议2024年是关键一年。", True, "2024年工作安排建议"),
        ("加强政府自身建设人民政府为人民。", True, "加强政府自身建设"),
        # sentences, not titles
        ("2024年主要目标是：地区生产总值增长5%。", True, None),
        ("2023年工作回顾了过去。", False, None),
        ("2024年主要目标是：地区生产总值增长5%。", False, None),
        ("我们要加强政府自身建设。", False, None),
    ],
)
def test_section_titles(line: str, inline: bool, title: str | None) -> None:
    end = section_title_end(line, 0, len(line), inline)
    assert (line[:end] if end else None) == title


def test_an_ordinary_paragraph_is_never_cut() -> None:
    # Under the pasted-text length, a colon before "（一）" and an indent run are left alone.
    line = "主要做了以下工作：（一）稳增长，成效明显。　　二、促改革。" * 20
    assert paragraphs(line, 0, len(line)) == [(0, len(line))]


def test_a_list_after_a_colon_opens_headings_in_pasted_text() -> None:
    filler = "全市经济运行稳中向好，各项事业取得新进展。" * 100
    text = f"{filler}一年来，主要做了以下工作：（一）千方百计稳增长。{filler}（二）壮大实体经济。{filler}"
    found = headings(text)
    assert found == [(1, "（一）千方百计稳增长"), (1, "（二）壮大实体经济")]
    assert_exact(text)


def test_decimals_and_month_ranges_do_not_open_headings() -> None:
    filler = "全市经济运行稳中向好。" * 250
    text = f"{filler}1—11月，投资增长4.1%。1.2万户完成改造。{filler}"
    assert headings(text) == []
    assert_exact(text)


# Real reports whose text was pasted into Word as one paragraph (development reports of the
# evaluation corpus, eval/reports/SOURCES.md).
PASTED_REPORTS = {
    "泸州.docx": ("2023年工作回顾", "2024年工作安排建议"),
    "潍坊.docx": ("一、2023年工作回顾", "二、2024年政府工作安排"),
    "防城港.docx": ("一、2023年工作回顾", "二、2024年工作安排"),
}


@pytest.mark.parametrize("name", sorted(PASTED_REPORTS))
def test_real_pasted_reports_have_their_review_and_plan_parts(name: str) -> None:
    from question_files import corpus_report_text

    text = corpus_report_text(name)
    assert len([line for line in text.splitlines() if line.strip()]) <= 2  # one paragraph
    review, plan = PASTED_REPORTS[name]
    top = [heading for level, heading in headings(text) if level == 1]
    assert top[:2] == [review, plan]
    units = parse_report(text).units
    in_plan = [u for u in units if u.path[:1] == (plan,) and not u.is_heading]
    in_review = [u for u in units if u.path[:1] == (review,) and not u.is_heading]
    # Most of the report sits in one of its parts, and the plan's sub-headings are below it.
    assert len(in_plan) > 50 and len(in_review) > 50
    assert any(len(u.path) >= 2 for u in in_plan)
    assert_exact(text)


# The pieces pasted text is made of, with no line break: headings of every kind, part titles,
# sentence ends, colons, indents, quotes.
_PASTED_PIECES = st.sampled_from(
    ["一、", "（一）", "(二)", "1.", "2、", "第一章", "一是", "。", "；", "：", "！", "，", "“", "”",
     "《", "》", "（", "）", "　　", "  ", "2023年工作回顾", "2024年工作安排建议", "加强政府自身建设",
     "2024年", "5.5%", "突出政治引领，筑牢根基。", "全区新收行政复议案件120件", "的", "报告"]
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(_PASTED_PIECES, min_size=1, max_size=40))
def test_pasted_text_is_chunked_exactly_and_completely(pieces: list[str]) -> None:
    body = "".join(pieces)
    text = body * (2100 // len(body) + 1)  # over the pasted-text length, on one line
    spans = paragraphs(text, 0, len(text))
    assert all(s < e and text[s:e] == text[s:e].strip() for s, e in spans)
    assert all(e1 <= s2 for (_, e1), (s2, _) in zip(spans, spans[1:], strict=False))
    assert_exact_and_complete(text)
