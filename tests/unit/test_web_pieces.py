"""The web chat's pure pieces: the question check, plain-text and Markdown copies, the document
view, the stored conversation and the feedback file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from ui.chat import ChatState
from ui.docview import (
    doc_url,
    document_html,
    page_starts,
    paragraph_number,
    paragraph_starts,
    parse_highlights,
)
from ui.question_input import counter_text, question_problem
from ui.render import Turn
from ui.session import state_from_json, state_to_json
from ui.transcript import answer_plain, conversation_markdown, turn_markdown

from reportqa.evaluation.feedback import (
    FeedbackStore,
    as_eval_question,
    default_feedback_path,
    feedback_record,
)
from reportqa.records import Chunk, Citation

TEXT = "标题\n\n一、工作\n2024年新收案件120件。办结87件。\n  \n二、其他\n其他内容。"
PASSAGE = "2024年新收案件120件。办结87件。"
START = TEXT.index(PASSAGE)
CITATION = Citation(
    n=1,
    report="r1",
    title="某区报告",
    section="一、工作",
    start=START,
    end=START + len(PASSAGE),
    text=PASSAGE,
    score=0.5,
    page=None,
    highlights=((START, START + 14),),
)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("", "问题为空"),
        ("   ", "问题为空"),
        ("x" * 2001 + "字", "问题过长"),
        ("How many cases?", "请用中文提问，例如：2024年全区新收行政复议案件多少件？"),
        ("12345", "请用中文描述您的问题"),
        (None, "问题为空"),
    ],
)
def test_question_problems_are_in_chinese(question: object, expected: str) -> None:
    problem = question_problem(question)
    assert problem is not None and expected in problem
    assert "(" not in problem  # no English gloss


@pytest.mark.parametrize(
    "question", ["码上知是什么？", "GDP增长多少？", "2024年12345热线办理多少件？"]
)
def test_chinese_questions_pass(question: str) -> None:
    assert question_problem(question) is None


def test_counter() -> None:
    assert counter_text("  码上知  ") == "3 / 2000 字"


def test_paragraphs_are_non_blank_lines() -> None:
    starts = paragraph_starts(TEXT)
    assert [TEXT[s : s + 2] for s in starts] == ["标题", "一、", "20", "二、", "其他"]
    assert paragraph_number(starts, START) == 3
    assert paragraph_number(starts, START + 5) == 3
    assert paragraph_number(starts, 0) == 1


def test_document_view_marks_and_anchors_the_passage() -> None:
    page = document_html(
        "r1", "某区<报告>", TEXT, START, START + len(PASSAGE), [(START, START + 14)]
    )
    assert '<html lang="zh-CN">' in page and "某区&lt;报告&gt;" in page
    assert '<p id="rqa-here"><span class="pn">3</span>' in page
    assert '<mark class="rqa-doc-quote">2024年新收案件120件。</mark>' in page
    assert '<mark class="rqa-doc-passage">办结87件。</mark>' in page
    assert "第 3 段" in page
    assert page.count('id="rqa-here"') == 1


def test_document_view_shows_pages_of_a_pdf() -> None:
    chunks = [
        Chunk("r1", "", 0, 2, "标题", page=1),
        Chunk("r1", "一、工作", START, START + len(PASSAGE), PASSAGE, page=2),
    ]
    pages = page_starts(chunks, "r1")
    assert pages == [(0, 1), (START, 2)]
    page = document_html("r1", "t", TEXT, START, START + 3, (), pages)
    assert '<div class="pg" id="page-2">第 2 页</div>' in page
    assert "引用的段落在第 2 页，第 3 段" in page


def test_document_view_clamps_offsets() -> None:
    assert "rqa-here" in document_html("r1", "t", TEXT, 10_000, 20_000)


def test_doc_url_round_trips_highlights() -> None:
    url = doc_url("r 1/x", 5, 9, [[5, 7]])
    assert url.startswith("/rqa/doc/r%201%2Fx?start=5&end=9&hl=5-7") and url.endswith("#rqa-here")
    assert parse_highlights("5-7,bad,9-8,1-2") == [(5, 7), (1, 2)]
    assert parse_highlights(None) == []


def test_plain_copy_lists_the_sources() -> None:
    text = answer_plain("新收120件[1]。", [CITATION], locate=lambda c: "第 3 段")
    assert text == (
        "新收120件[1]。\n\n来源：\n[1] 《某区报告》 一、工作 第 3 段\n"
        "    2024年新收案件120件。办结87件。"
    )
    assert answer_plain("没有。", [], refused=True) == "报告中没有答案：没有。"


def test_markdown_quotes_sources_and_escapes() -> None:
    md = turn_markdown("问*题*", "新收120件[1]。", [CITATION], understood="问*题*")
    assert md.startswith("## 问：问\\*题\\*\n")
    assert "答：新收120件\\[1\\]。" in md
    assert "1. 《某区报告》 · 一、工作" in md
    assert "   > 2024年新收案件120件。办结87件。" in md
    refused = turn_markdown("那2023年呢？", "没有。", [], True, "2023年新收多少件？")
    assert "*结合上文理解为：2023年新收多少件？*" in refused and "**报告中没有答案。**" in refused
    assert conversation_markdown([md]).startswith("# 政府报告问答 · 对话记录\n\n## 问")


def test_stored_conversation_round_trips_through_json() -> None:
    turn = Turn(1, "q", False, (CITATION,), answer="a", asked="q0", id="abc123")
    state = ChatState([{"role": "user", "content": "<div>q</div>"}], [turn], "q", "topic")
    stored = json.loads(json.dumps(state_to_json(state)))
    back = state_from_json(stored)
    assert back.messages == state.messages and back.last_topic == "topic"
    assert back.turns[0].id == "abc123" and back.turns[0].citations == (CITATION,)
    assert stored["turns"][0]["citations"] == [CITATION.to_dict()]  # JSON in the browser


@pytest.mark.parametrize(
    "junk",
    [
        None,
        "x",
        [],
        {"messages": "x"},
        {"turns": [{"number": "one"}]},
        {"messages": [{"a": 1}]},
        # a citation that is not one (no offsets; offsets that are not numbers)
        {"turns": [{"number": 1, "question": "q", "refused": False, "citations": [{"n": 1}]}]},
        {
            "turns": [
                {
                    "number": 1,
                    "question": "q",
                    "refused": False,
                    "citations": [{**CITATION.to_dict(), "start": "abc"}],
                }
            ]
        },
    ],
)
def test_unreadable_stored_conversation_starts_afresh(junk: object) -> None:
    state = state_from_json(junk)
    assert state.messages == [] and state.turns == []


def test_feedback_file_keeps_the_latest_record_per_answer(tmp_path: Path) -> None:
    store = FeedbackStore(tmp_path / "sub" / "feedback.jsonl")
    answer = {
        "asked": "那2023年呢？",
        "question": "2023年多少件？",
        "answer": "没有。",
        "refused": True,
    }
    first = feedback_record("a1", "down", answer)
    store.add(first)
    store.add(
        feedback_record(
            "a2", "up", {"question": "q", "answer": "a", "citations": [CITATION.to_dict()]}
        )
    )
    store.add({**first, "comment": "应该有数字"})
    with store.path.open("a", encoding="utf-8") as f:
        f.write('{"cut short')  # a crash mid-line does not break reading
    records = store.records()
    assert [r["id"] for r in records] == ["a1", "a2"]
    assert records[0]["comment"] == "应该有数字" and records[0]["question"] == "那2023年呢？"
    assert records[1]["citations"] == [
        {"n": 1, "report": "r1", "start": START, "end": START + len(PASSAGE), "page": None}
    ]
    line = as_eval_question(records[0])
    assert line["question"] == "2023年多少件？" and line["feedback"]["comment"] == "应该有数字"
    with pytest.raises(ValueError):
        feedback_record("a3", "meh", answer)


def test_feedback_path_is_beside_the_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REPORTQA_FEEDBACK", raising=False)
    assert default_feedback_path(tmp_path / "index") == tmp_path / "feedback.jsonl"
    monkeypatch.setenv("REPORTQA_FEEDBACK", str(tmp_path / "elsewhere.jsonl"))
    assert default_feedback_path(tmp_path / "index") == tmp_path / "elsewhere.jsonl"


class _Request:
    session_hash = "s1"


def test_a_second_question_while_answering_is_held_not_asked() -> None:
    from typing import cast

    from ui.chat import Chat
    from ui.session import BUSY_NOTE, WebSession, state_to_json

    from reportqa.engine import Engine
    from test_web_chat import FakeEngine

    engine = FakeEngine()
    session = WebSession(Chat(cast(Engine, engine), stream_delay_s=0))
    request = cast(Any, _Request())
    empty = state_to_json(ChatState())
    first = session.submit("2024年全区新收行政复议案件多少件？", None, empty, request)
    next(first)  # the first answer is under way
    second = list(session.submit("码上知是什么？", None, empty, request))
    assert len(second) == 1 and BUSY_NOTE in second[0][4]
    assert all(isinstance(x, type(second[0][0])) for x in second[0][:4])  # all skipped
    double_click = list(session.submit("", None, empty, request))
    assert len(double_click) == 1 and "问题为空" not in str(double_click[0][4])
    steps = list(first)
    assert "120件" in steps[-1][0][-1]["content"]
    assert [q for q, _ in engine.asked] == ["2024年全区新收行政复议案件多少件？"]
    # Once answered, the session takes questions again.
    assert (
        "码上知"
        in list(session.submit("码上知是什么？", None, steps[-1][2], request))[-1][0][-2]["content"]
    )


def test_feedback_command_exports_latest_votes(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from reportqa.cli.main import main

    path = tmp_path / "votes.jsonl"
    store = FeedbackStore(path)
    store.add(feedback_record("a1", "up", {"question": "q1", "answer": "a"}))
    store.add(feedback_record("a2", "up", {"question": "q2", "answer": "b"}))
    store.add(feedback_record("a2", "down", {"question": "q2", "answer": "b"}, comment="不对"))
    runner = CliRunner()
    result = runner.invoke(main, ["feedback", "--feedback", str(path), "--down-only"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [(r["id"], r["rating"], r["comment"]) for r in lines] == [("a2", "down", "不对")]
    result = runner.invoke(main, ["feedback", "--feedback", str(path), "--as-eval"])
    questions = [json.loads(x) for x in result.stdout.splitlines()]
    assert [q["question"] for q in questions] == ["q1", "q2"]
    assert all(q["type"] == "feedback" and q["must_contain"] == [] for q in questions)
    empty = runner.invoke(main, ["feedback", "--feedback", str(tmp_path / "none.jsonl")])
    assert empty.exit_code == 0 and empty.stdout == ""
