"""Scoring several question files (splits) in one evaluation: which files, which questions the
index can answer, chit-chat, the right-report rate, and `reportqa eval --build-from`."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from reportqa.cli.eval_cmd import question_files
from reportqa.cli.main import main
from reportqa.errors import InputError
from reportqa.evaluation.metrics import QuestionResult, summarise
from reportqa.evaluation.report import headline
from reportqa.evaluation.runner import EvalQuestion, classify, load_questions, partition_by_index

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "jinghu-2024-fazhi.txt"

DEV = [
    {
        "id": "d-number",
        "question": "2024年通过创优营商环境平台办结了多少件问题？",
        "answer": "612件",
        "must_contain": ["612件"],
        "gold_spans": ["2024年通过创优营商环境平台办结各类问题共计612件"],
        "type": "number",
        "report": SEED.name,
    },
    {
        "id": "d-year",
        "question": "镜湖区2023年通过创优营商环境平台办结了多少件问题？",
        "answer": "文中未提及",
        "must_contain": [],
        "gold_spans": [],
        "type": "unanswerable",
        "report": SEED.name,
        "trap": "year",
    },
    {
        "id": "d-chat",
        "question": "帮我写一首关于春天的诗",
        "answer": "（礼貌拒答）",
        "must_contain": [],
        "gold_spans": [],
        "type": "chitchat",
        "report": None,
    },
    {
        "id": "d-elsewhere",
        "question": "2025年上海市全市生产总值是多少？",
        "answer": "5.67万亿元",
        "must_contain": ["5.67万亿元"],
        "gold_spans": ["全市生产总值达到5.67万亿元、增长5.4%，好于预期"],
        "type": "number",
        "report": "2026_上海市_政府工作报告.txt",
    },
]
TEST = [
    {
        "id": "t-fact",
        "question": "镜湖区打造的党员干部教育培训品牌叫什么？",
        "answer": "“周末课堂”",
        "must_contain": ["周末课堂"],
        "gold_spans": ["深化“周末课堂”党员干部教育培训品牌打造"],
        "type": "fact",
        "report": SEED.name,
    }
]


def _write(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


@pytest.fixture()
def eval_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "eval"
    folder.mkdir()
    _write(folder / "dev.jsonl", DEV)
    _write(folder / "test.jsonl", TEST)
    return folder


# --- which files, which questions (pure) ---


def test_default_files_are_the_splits_present(eval_dir: Path) -> None:
    # test_corpus.jsonl is absent: skipped when not asked for by name.
    assert question_files((), (), eval_dir) == [eval_dir / "dev.jsonl", eval_dir / "test.jsonl"]
    assert question_files((), ("test",), eval_dir) == [eval_dir / "test.jsonl"]
    extra = eval_dir / "x.jsonl"
    assert question_files((extra,), ("test", "test"), eval_dir) == [extra, eval_dir / "test.jsonl"]
    # Once the held-out corpus questions are there, they are scored by default too.
    _write(eval_dir / "test_corpus.jsonl", TEST)
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


# --- the command, on a real index ---


def test_cli_builds_reuses_and_reports_splits(eval_dir: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    out = tmp_path / "out"
    args = [
        "eval",
        str(eval_dir / "dev.jsonl"),
        str(eval_dir / "test.jsonl"),
        "--index-dir",
        str(index_dir),
        "--build-from",
        str(SEED),
        "--out",
        str(out),
        "--no-progress",
    ]
    first = CliRunner().invoke(main, args)
    assert first.exit_code == 0, first.output
    assert "Indexed 1 reports" in first.output
    assert "Skipped 1 questions about 1 reports not in the index" in first.output
    assert "dev (hybrid, 3 questions): accuracy" in first.output
    assert "test (hybrid, 1 questions): accuracy" in first.output

    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["skipped_questions"] == 1
    hybrid = summary["runs"]["hybrid"]
    assert list(hybrid["by_split"]) == ["dev", "test"]
    dev = hybrid["by_split"]["dev"]
    assert (dev["overall"]["answerable"], dev["overall"]["unanswerable"]) == (1, 1)
    assert dev["overall"]["chitchat"] == 1
    assert set(dev["by_type"]) == {"number", "unanswerable", "chitchat"}
    assert set(dev["by_trap"]) == {"year"}
    records = [json.loads(line) for line in (out / "answers.jsonl").read_text().splitlines()]
    assert [(r["split"], r["id"]) for r in records] == [
        ("dev", "d-number"),
        ("dev", "d-year"),
        ("dev", "d-chat"),
        ("test", "t-fact"),
    ]
    chat = records[2]
    assert chat["correct"] == (not chat["citations"])
    report = (out / "report.md").read_text(encoding="utf-8")
    for heading in ("### By split", "#### dev: by type", "#### dev: by trap", "### By trap"):
        assert heading in report

    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert "is up to date (1 reports)" in again.output


def test_headline_leaves_out_rates_with_nothing_to_count() -> None:
    only_answerable = summarise([_result(first_cited_right_report=True)])
    line = headline("test", "hybrid", only_answerable)
    assert line == (
        "test (hybrid, 1 questions): accuracy 1.000 · answerable refused 0.000 (of 1) · "
        "first citation from the right report 1.000"
    )
