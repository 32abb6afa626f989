"""Scoring several question files (splits) in one evaluation: which files, which questions the
index can answer, chit-chat, the right-report rate, and `reportqa eval --build-from`."""

from pathlib import Path

import pytest

from reportqa.cli.eval_cmd import question_files
from reportqa.errors import InputError
from reportqa.evaluation.metrics import QuestionResult, summarise
from reportqa.evaluation.report import headline
from reportqa.evaluation.runner import EvalQuestion, classify, load_questions, partition_by_index
from split_files import TEST, write_jsonl

# --- which files, which questions (pure) ---


def test_default_files_are_the_splits_present(eval_dir: Path) -> None:
    # test_corpus.jsonl is absent: skipped when not asked for by name.
    assert question_files((), (), eval_dir) == [eval_dir / "dev.jsonl", eval_dir / "test.jsonl"]
    assert question_files((), ("test",), eval_dir) == [eval_dir / "test.jsonl"]
    extra = eval_dir / "x.jsonl"
    assert question_files((extra,), ("test", "test"), eval_dir) == [extra, eval_dir / "test.jsonl"]
    # Once the held-out corpus questions are there, they are scored by default too.
    write_jsonl(eval_dir / "test_corpus.jsonl", TEST)
    assert question_files((), (), eval_dir)[-1] == eval_dir / "test_corpus.jsonl"


def test_a_missing_split_asked_for_by_name_is_an_error(eval_dir: Path) -> None:
    with pytest.raises(InputError, match="test_corpus"):
        question_files((), ("test_corpus",), eval_dir)
    with pytest.raises(InputError, match="No question files"):
        question_files((), (), eval_dir / "empty")


def test_questions_carry_their_split_trap_and_chitchat(eval_dir: Path) -> None:
    dev = load_questions(eval_dir / "dev.jsonl")
    assert {q.split for q in dev} == {"dev"}
    assert [q.trap for q in dev] == ["", "year", "", ""]
    chat = dev[2]
    assert chat.chitchat and not chat.answerable and chat.report_id == ""
    kept, skipped = partition_by_index(dev, ["jinghu-2024-fazhi"])
    assert [q.id for q in kept] == ["d-number", "d-year", "d-chat"]
    assert [q.id for q in skipped] == ["d-elsewhere"]


def test_only_the_type_makes_a_question_chitchat() -> None:
    # A question set of one's own may leave out `report`: still a question, asked of every report.
    plain = EvalQuestion("p", "办结了多少件？", "612件", ("612件",), (), "number", "")
    assert not plain.chitchat and plain.answerable
    assert partition_by_index([plain], []) == ([plain], [])


def test_a_cited_chitchat_answer_is_its_own_failure() -> None:
    chat = EvalQuestion("c", "你好", "（帮助）", (), (), "chitchat", "")
    assert classify(chat, False, False, False, None) == "cited_chitchat"
    assert classify(chat, True, False, False, None) is None


def _result(**kw: object) -> QuestionResult:
    base: dict[str, object] = dict(
        answerable=True,
        correct=True,
        refused=False,
        retrieved=(True,),
        total_relevant=1,
        cited=(True,),
        latency_ms=5.0,
    )
    return QuestionResult(**(base | kw))  # type: ignore[arg-type]


def test_chitchat_and_right_report_rates() -> None:
    results = [
        _result(first_cited_right_report=True, top_hit_right_report=True),
        _result(correct=False, cited=(False,), first_cited_right_report=False),
        # refused: nothing cited, so it does not count for the right-report rate
        _result(correct=False, refused=True, cited=(), top_hit_right_report=False),
        _result(answerable=False, refused=True, cited=(), retrieved=(), total_relevant=0),
        _result(answerable=False, chitchat=True, correct=False, cited=(False,), retrieved=()),
        _result(answerable=False, chitchat=True, cited=(), retrieved=()),
    ]
    s = summarise(results)
    assert (s["answerable"], s["unanswerable"], s["chitchat"]) == (3, 1, 2)
    assert s["first_citation_right_report"] == pytest.approx(1 / 2)
    assert s["top1_right_report"] == pytest.approx(1 / 2)
    assert s["chitchat_uncited"] == pytest.approx(1 / 2)
    assert s["unanswerable_refused"] == 1.0  # chit-chat is not a near miss
    assert s["answerable_refused"] == pytest.approx(1 / 3)
    assert s["accuracy"] == pytest.approx(3 / 6)
    line = headline("dev", "hybrid", s)
    assert line.startswith("dev (hybrid, 6 questions): accuracy 0.500")
    assert "first citation from the right report 0.500" in line
    assert "chit-chat without citation 0.500 (of 2)" in line


def test_headline_leaves_out_rates_with_nothing_to_count() -> None:
    only_answerable = summarise([_result(first_cited_right_report=True)])
    line = headline("test", "hybrid", only_answerable)
    assert line == (
        "test (hybrid, 1 questions): accuracy 1.000 · answerable refused 0.000 (of 1) · "
        "first citation from the right report 1.000"
    )


def test_malformed_question_set(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text('{"id": "a", "question": "q"}\nnot json\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        load_questions(path)
