"""The chat's turns over a fake engine: streaming, follow-ups, refusals and errors as messages."""

from __future__ import annotations

from typing import Any, cast

from ui.chat import Chat, ChatState, Warmup, resolve_reports

from reportqa.answer.evidence import ReportInfo
from reportqa.engine import Engine
from reportqa.errors import IndexUnusableError, InputError
from reportqa.records import Answer, Chunk, Citation

TEXT = "镜湖区报告\n一、行政复议\n2024年全区新收行政复议案件120件,办结87件,调解结案44件。其他。"
SENTENCE = "2024年全区新收行政复议案件120件,办结87件,调解结案44件。"
START = TEXT.index(SENTENCE)
CHUNK = Chunk("r1", "一、行政复议", START, len(TEXT), TEXT[START:])


class FakeEngine:
    def __init__(self, fail: Exception | None = None) -> None:
        self.chunks = [CHUNK]
        self.texts = {"r1": TEXT}
        self.reports = {"r1": ReportInfo("镜湖区报告", ("镜湖区",), (2024,))}
        self.asked: list[tuple[str, list[str] | None]] = []
        self.fail = fail

    def ask(self, question: str, reports: list[str] | None = None) -> Answer:
        self.asked.append((question, reports))
        if self.fail is not None:
            raise self.fail
        if "2023" in question:
            return Answer(
                question,
                "根据已收录的报告，无法回答这个问题：报告中没有2023年的相关内容。",
                True,
                [],
            )
        citation = Citation(
            1, "r1", "镜湖区报告", CHUNK.section, CHUNK.start, CHUNK.end, CHUNK.text, 0.5,
            highlights=((START, START + len(SENTENCE)),),
        )  # fmt: skip
        answer = f"{SENTENCE[:-1]}[1]。"
        return Answer(question, answer, False, [citation])


def _chat(engine: FakeEngine) -> Chat:
    return Chat(cast(Engine, engine), stream_delay_s=0)


def _run(chat: Chat, question: str, state: ChatState | None = None) -> list[Any]:
    return list(chat.respond(question, None, state or ChatState()))


def test_answer_streams_clause_by_clause_then_shows_sources() -> None:
    steps = _run(_chat(FakeEngine()), "2024年全区新收行政复议案件多少件？")
    contents = [messages[-1]["content"] for messages, *_ in steps]
    assert "正在检索" in contents[0]
    partials = contents[1:-1]
    assert len(partials) >= 2
    assert "120件" in partials[0] and "办结" not in partials[0]
    assert 'href="#rqa-src-1-1"' in contents[-1]
    _, panel, state, box = steps[-1]
    assert box == ""
    assert 'id="rqa-src-1-1"' in panel and "<mark>" in panel
    assert state.last_question == "2024年全区新收行政复议案件多少件？"
    assert [m["role"] for m in state.messages] == ["user", "assistant"]


def test_follow_up_is_asked_in_context_and_refusal_is_distinct() -> None:
    engine = FakeEngine()
    chat = _chat(engine)
    state = _run(chat, "2024年全区新收行政复议案件多少件？")[-1][2]
    steps = _run(chat, "那2023年呢？", state)
    assert engine.asked[-1][0] == "2023年全区新收行政复议案件多少件？"
    messages, panel, state, _ = steps[-1]
    assert 'class="rqa-refusal"' in messages[-1]["content"]
    assert "结合上文理解为" in messages[-1]["content"]
    assert "此问未找到可引用的依据" in panel
    assert len(state.turns) == 2 and len(state.messages) == 4


def test_empty_question_is_a_message_and_asks_nothing() -> None:
    engine = FakeEngine()
    steps = _run(_chat(engine), "   ")
    assert len(steps) == 1
    messages, _, state, _ = steps[0]
    assert 'class="rqa-error"' in messages[-1]["content"]
    assert "问题为空" in messages[-1]["content"]
    assert engine.asked == [] and state.last_question is None


def test_engine_errors_are_messages() -> None:
    for error, shown in [
        (IndexUnusableError("No index at index."), "No index at index."),
        (InputError("Unknown report(s): x"), "Unknown report(s): x"),
        (RuntimeError("boom"), "内部错误"),
    ]:
        messages = _run(_chat(FakeEngine(fail=error)), "码上知是什么？")[-1][0]
        assert 'class="rqa-error"' in messages[-1]["content"]
        assert shown in messages[-1]["content"]
        assert "Traceback" not in messages[-1]["content"]


def test_question_html_is_escaped_in_the_chat() -> None:
    messages = _run(_chat(FakeEngine()), "<script>alert(1)</script>2024年多少件？")[-1][0]
    assert "<script>" not in messages[0]["content"]
    assert "&lt;script&gt;" in messages[0]["content"]


def test_state_of_the_caller_is_not_mutated() -> None:
    state = ChatState()
    _run(_chat(FakeEngine()), "2024年全区新收行政复议案件多少件？", state)
    assert state.messages == [] and state.turns == []


def test_reports_by_title_or_id() -> None:
    engine = cast(Engine, FakeEngine())
    assert resolve_reports(engine, ["镜湖区报告", "r9"]) == ["r1", "r9"]
    assert resolve_reports(engine, []) is None


def test_answer_dict_waits_for_warm_up() -> None:
    engine = FakeEngine()
    warmup = Warmup(cast(Engine, engine))
    warmup.start()
    chat = Chat(cast(Engine, engine), warmup, stream_delay_s=0)
    data = chat.answer_dict("2024年全区新收行政复议案件多少件？", ["r1"])
    assert warmup.done.is_set()
    assert data["citations"][0]["highlights"] == [[START, START + len(SENTENCE)]]
    assert engine.asked[-1] == ("2024年全区新收行政复议案件多少件？", ["r1"])
