"""Parsing and chunking: heading paths, exact offsets, and no text lost, on real reports."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paths import SEEDS
from reportqa.ingest.parse import ChunkSettings, chunk_report, parse_report, split_sentences

REPORTS = sorted(SEEDS.glob("*.txt"))


def assert_exact_and_complete(text: str, settings: ChunkSettings | None = None) -> None:
    """Every chunk is an exact slice, and every non-blank character outside the title is in one."""
    parsed = parse_report(text)
    chunks = chunk_report("r", text, settings)
    covered = [False] * len(text)
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
        assert chunk.text == chunk.text.strip()
        for i in range(chunk.start, chunk.end):
            covered[i] = True
    if parsed.title_span:
        for i in range(*parsed.title_span):
            covered[i] = True
    lost = [i for i, ch in enumerate(text) if not ch.isspace() and not covered[i]]
    assert not lost, f"characters outside every chunk at {lost[:5]}"


# Text built from the pieces reports are made of: headings of every style, sentence ends,
# quotes and titles, both punctuation widths, blank lines and indentation.
_PIECES = st.sampled_from(
    ["一、", "(一)", "（二）", "1.", "2、", "第一章", "第三条", "一是", "二是", "。", "；", ";", "！",
     "？", "，", ",", "“", "”", "《", "》", "(", ")", "\n", "\n\n", "\r\n", "　　", " ", "2024年",
     "50.6%", "突出政治引领,筑牢根基。", "全区新收行政复议案件120件", "的", "报告"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PIECES, st.text(max_size=8)), max_size=60), st.integers(20, 400))
def test_offsets_are_exact_and_nothing_is_lost_on_any_text(pieces: list[str], size: int) -> None:
    assert_exact_and_complete("".join(pieces), ChunkSettings(max_chars=size))


@pytest.mark.parametrize("path", REPORTS, ids=lambda p: p.stem)
@pytest.mark.parametrize("size", [120, 200, 400])
def test_real_reports_are_chunked_exactly_and_completely(path: Path, size: int) -> None:
    assert_exact_and_complete(path.read_text(encoding="utf-8"), ChunkSettings(max_chars=size))


def _section_of(path: Path, needle: str) -> str:
    text = path.read_text(encoding="utf-8")
    return next(c.section for c in chunk_report(path.stem, text) if needle in c.text)


def test_seed_heading_path_has_three_levels_with_half_width_punctuation() -> None:
    section = _section_of(SEEDS / "jinghu-2024-fazhi.txt", "新收行政复议案件120件")
    assert section == (
        "一、全区法治政府建设情况 > (五)向“广”延伸,多维构建权力运行监督体系 > "
        "凸显行政复议诉讼层级监督"
    )


def test_seed_title_is_found() -> None:
    text = (SEEDS / "jinghu-2024-fazhi.txt").read_text(encoding="utf-8")
    assert parse_report(text).title == "镜湖区人民政府关于2024年法治政府建设情况的报告"


def test_full_width_headings_and_enumeration_items() -> None:
    section = _section_of(SEEDS / "shenzhen-guangming-2021-fazhi.txt", "二是法治政府建设各项任务")
    assert section.startswith("一、2021年主要工作情况 > （一）深入学习贯彻习近平法治思想")
    assert section.endswith("> 二是法治政府建设各项任务全面落地")


def test_heading_with_text_on_the_same_line() -> None:
    section = _section_of(SEEDS / "anhui-2026-zfgzbg.txt", "新开工建设“两重”项目178个")
    assert (
        section == "一、2025年工作和“十四五”发展回顾 > （一）精准施策稳经济，回升向好态势巩固拓展"
    )


def test_two_line_title_and_table_rows_are_not_headings() -> None:
    path = SEEDS / "huaian-2024-xxgk-nianbao.txt"
    text = path.read_text(encoding="utf-8")
    assert parse_report(text).title == "淮安市人民政府2024年政府信息公开工作年度报告"
    row = _section_of(path, "2.其他法律行政法规禁止公开 30")
    assert "30 1 0" not in row


def test_report_without_title_line_has_no_title() -> None:
    text = (SEEDS / "xiamen-2024-zfgzbg.txt").read_text(encoding="utf-8")
    assert parse_report(text).title == ""


def test_heading_levels_follow_the_order_of_first_appearance() -> None:
    text = "第一章 总则\n第一条 目的。\n本条正文。\n第二章 分则\n一、要点\n正文一句。\n"
    chunks = chunk_report("r", text)
    sections = {c.section for c in chunks}
    assert "第一章 总则 > 第一条 目的" in sections
    assert "第二章 分则 > 一、要点" in sections


def test_numbered_headings_with_arabic_digits() -> None:
    text = "一、工作\n1.第一项\n内容甲。\n2、第二项\n内容乙。\n（1）细目\n内容丙。\n"
    sections = [c.section for c in chunk_report("r", text, ChunkSettings(max_chars=10))]
    assert "一、工作 > 2、第二项" in sections
    assert "一、工作 > 2、第二项 > （1）细目" in sections


def test_sentences_split_on_ends_but_not_inside_titles_or_quotes() -> None:
    text = "学习《条例。细则》要点;推进“码上知。举措”落地，成效明显！下一句?末尾"
    pieces = [text[s:e] for s, e in split_sentences(text)]
    assert pieces == [
        "学习《条例。细则》要点;",
        "推进“码上知。举措”落地，成效明显！",
        "下一句?",
        "末尾",
    ]


def test_sentences_never_split_on_commas() -> None:
    text = "2024年,全区新收案件120件,办结87件,调解率达50.6%。"
    assert split_sentences(text) == [(0, len(text))]


def test_unbalanced_quote_does_not_swallow_the_next_paragraph() -> None:
    text = "他说“没有结尾。\n下一段。第二句。"
    pieces = [text[s:e] for s, e in split_sentences(text)]
    assert pieces == ["他说“没有结尾。", "下一段。", "第二句。"]


def test_chunks_respect_size_and_stay_inside_sections() -> None:
    text = (SEEDS / "jinghu-2024-fazhi.txt").read_text(encoding="utf-8")
    chunks = chunk_report("seed", text, ChunkSettings(max_chars=200))
    sentences_of = {c.start: split_sentences(text, c.start, c.end) for c in chunks}
    for chunk in chunks:
        # Only a single over-long sentence (or heading plus sentence) may exceed the limit.
        if len(chunk.text) > 200:
            assert len(sentences_of[chunk.start]) <= 2


def test_pages_are_assigned_from_page_offsets() -> None:
    text = "一、甲\n第一页的句子。\n二、乙\n第二页的句子。\n"
    second = text.index("二、乙")
    chunks = chunk_report("r", text, ChunkSettings(), page_starts=[0, second])
    assert [c.page for c in chunks] == [1, 2]
