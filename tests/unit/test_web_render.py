"""The chat's HTML: escaped text, linked markers, highlighted passages, sections around them."""

from ui.render import (
    SectionIndex,
    Turn,
    answer_html,
    citation_html,
    clauses,
    mark_spans,
    notice_html,
    question_html,
    refusal_html,
    sources_html,
)

from reportqa.records import Chunk, Citation

TEXT = "标题\n一、工作\n甲句。乙句<b>。\n丙句。丁句。\n二、其他\n戊句。"


def _chunks() -> list[Chunk]:
    def chunk(section: str, piece: str) -> Chunk:
        start = TEXT.index(piece)
        return Chunk("r1", section, start, start + len(piece), piece)

    return [
        chunk("一、工作 > 甲句", "甲句。乙句<b>。"),
        chunk("一、工作", "丙句。丁句。"),
        chunk("二、其他", "戊句。"),
    ]


def test_question_is_escaped() -> None:
    rendered = question_html("<script>alert(1)</script>")
    assert "<script>" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered


def test_answer_markers_become_links_and_text_is_escaped() -> None:
    rendered = answer_html("共<i>120件</i>[1]；另有[2]。", turn=3)
    assert '<a class="rqa-cite" href="#rqa-src-3-1"' in rendered
    assert 'href="#rqa-src-3-2"' in rendered
    assert "<i>" not in rendered and "&lt;i&gt;" in rendered


def test_rewritten_question_is_shown_escaped() -> None:
    rendered = answer_html("答[1]。", turn=1, rewritten="<b>2023年</b>呢")
    assert "结合上文理解为" in rendered and "&lt;b&gt;" in rendered


def test_refusal_and_notice_are_distinct_from_answers() -> None:
    assert 'class="rqa-refusal"' in refusal_html("报告中没有<x>。")
    assert "&lt;x&gt;" in refusal_html("报告中没有<x>。")
    assert 'class="rqa-error"' in notice_html("问题为空")


def test_messages_hold_no_blank_line() -> None:
    # A blank line would end the HTML block and let Markdown reinterpret the text.
    assert "\n" not in answer_html("第一行\n\n第二行[1]", turn=1)


def test_mark_spans_uses_absolute_offsets_and_escapes() -> None:
    text = "a<b>cdef"
    assert mark_spans(text, 10, [(11, 14)]) == "a<mark>&lt;b&gt;</mark>cdef"
    # Out-of-range parts are clipped, overlaps merged.
    assert mark_spans(text, 10, [(5, 12), (11, 13)]) == "<mark>a&lt;b</mark>&gt;cdef"
    assert mark_spans(text, 10, []) == "a&lt;b&gt;cdef"


def test_clauses_join_back() -> None:
    answer = "2024年全区新收行政复议案件120件,办结87件,调解率达50.6%[1]；另[2]。"
    pieces = clauses(answer)
    assert "".join(pieces) == answer
    assert len(pieces) == 4


def test_section_around_a_lead_phrase_paragraph_is_the_enclosing_section() -> None:
    sections = SectionIndex(_chunks(), {"r1": TEXT})
    first = _chunks()[0]
    span = sections.around("r1", first.section, first.start, first.end)
    assert span is not None
    assert span.path == "一、工作"
    assert TEXT[span.start : span.end] == "甲句。乙句<b>。\n丙句。丁句。"


def test_citation_html_shows_title_section_passage_and_context() -> None:
    chunk = _chunks()[0]
    highlight = (chunk.start + 3, chunk.end)
    citation = Citation(
        n=2,
        report="r1",
        title="<报告>",
        section=chunk.section,
        start=chunk.start,
        end=chunk.end,
        text=chunk.text,
        score=0.5,
        page=4,
        highlights=(highlight,),
    )
    rendered = citation_html(citation, turn=1, sections=SectionIndex(_chunks(), {"r1": TEXT}))
    assert 'id="rqa-src-1-2"' in rendered
    assert "《&lt;报告&gt;》" in rendered
    assert "第 4 页" in rendered
    assert "<mark>乙句&lt;b&gt;。</mark>" in rendered
    assert "<details" in rendered and "丙句。丁句。" in rendered


def test_sources_panel_folds_older_turns() -> None:
    sections = SectionIndex(_chunks(), {"r1": TEXT})
    turns = [Turn(1, "第一问<", True, ()), Turn(2, "第二问", True, ())]
    rendered = sources_html(turns, sections)
    assert rendered.index("第二问") < rendered.index("第一问")
    assert "之前问题的来源（1）" in rendered
    assert "第一问&lt;" in rendered


def test_sections_are_made_from_the_cited_reports_chunks_only() -> None:
    class CountingChunks(list[Chunk]):
        """The chunks of two reports, counting the rows read."""

        read: list[int] = []

        def __getitem__(self, row):  # type: ignore[no-untyped-def, override]
            self.read.append(row)
            return super().__getitem__(row)

    other = [Chunk("r0", "甲", i, i + 1, "x") for i in range(5)]
    chunks = CountingChunks(other + _chunks())
    sections = SectionIndex(chunks, {"r0": "xxxxx", "r1": TEXT})
    assert chunks.read == []  # nothing read at start
    first = _chunks()[0]
    span = sections.around("r1", first.section, first.start, first.end)
    assert span is not None and span.path == "一、工作"
    assert sorted(chunks.read) == [5, 6, 7]  # r1's rows, once
    sections.around("r1", first.section, first.start, first.end)
    assert sorted(chunks.read) == [5, 6, 7]
