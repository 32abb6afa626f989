"""The `reportqa` command line end to end: index, ask, --json, --batch and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from paths import SEED_REPORT
from reportqa.cli.main import main

QUESTION = "2024年镜湖区全区新收行政复议案件多少件？"


@pytest.fixture(scope="module")
def cli_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("cli") / "index"
    result = CliRunner().invoke(main, ["index", str(SEED_REPORT), "--index-dir", str(index_dir)])
    assert result.exit_code == 0, result.output
    assert "Indexed 1 reports" in result.output
    return index_dir


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_index_again_does_nothing_and_says_so(cli_index: Path) -> None:
    code, out, _ = run("index", str(SEED_REPORT), "--index-dir", str(cli_index))
    assert code == 0
    assert "up to date" in out


def test_ask_prints_answer_and_cited_passage(cli_index: Path) -> None:
    code, out, _ = run("ask", QUESTION, "--index-dir", str(cli_index))
    assert code == 0
    assert "120件" in out
    assert "[1] 《镜湖区人民政府关于2024年法治政府建设情况的报告》" in out
    assert "凸显行政复议诉讼层级监督" in out


def test_ask_json_has_the_documented_shape_and_exact_offsets(cli_index: Path) -> None:
    code, out, _ = run("ask", QUESTION, "--index-dir", str(cli_index), "--json")
    assert code == 0
    data = json.loads(out)
    assert {"question", "answer", "refused", "citations", "timings_ms"} <= set(data)
    assert set(data["timings_ms"]) >= {"retrieve", "answer"}
    assert "120件" in data["answer"] and data["refused"] is False
    text = SEED_REPORT.read_text(encoding="utf-8")
    for c in data["citations"]:
        assert {"n", "report", "title", "section", "start", "end", "text", "score"} <= set(c)
        assert c["report"] == "jinghu-2024-fazhi"
        assert text[c["start"] : c["end"]] == c["text"]


def test_ask_refuses_what_the_report_does_not_say(cli_index: Path) -> None:
    code, out, _ = run("ask", "2023年镜湖区全区新收行政复议案件多少件？", "--index-dir",
                       str(cli_index), "--json")  # fmt: skip
    assert code == 0
    data = json.loads(out)
    assert data["refused"] is True and data["citations"] == []


@pytest.mark.parametrize("mode", ["keyword", "dense", "hybrid"])
def test_ask_with_each_retriever(cli_index: Path, mode: str) -> None:
    code, out, _ = run("ask", QUESTION, "--index-dir", str(cli_index), "--retriever", mode,
                       "--top-k", "3", "--json")  # fmt: skip
    assert code == 0
    assert len(json.loads(out)["citations"]) <= 3


def test_batch_answers_every_line_and_copies_other_fields(cli_index: Path, tmp_path: Path) -> None:
    batch = tmp_path / "q.jsonl"
    lines = [{"id": "a", "question": QUESTION}, {"id": "b", "question": "2024年行政复议调解率是多少？"},
             {"id": "c", "question": "   "}]  # fmt: skip
    batch.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    code, out, _ = run("ask", "--batch", str(batch), "--index-dir", str(cli_index))
    assert code == 0
    answers = [json.loads(line) for line in out.splitlines()]
    assert [a["id"] for a in answers] == ["a", "b", "c"]
    assert "120件" in answers[0]["answer"]
    assert "50.6%" in answers[1]["answer"]
    assert "error" in answers[2]


def test_batch_with_a_malformed_line_names_the_line(cli_index: Path, tmp_path: Path) -> None:
    batch = tmp_path / "bad.jsonl"
    batch.write_text('{"question": "码上知是什么"}\nnot json\n', encoding="utf-8")
    code, _, err = run("ask", "--batch", str(batch), "--index-dir", str(cli_index))
    assert code == 2
    assert "line 2" in err


@pytest.mark.parametrize("question", ["", "   \n ", "问" * 2001])
def test_empty_or_overlong_question_exits_2_with_a_message(cli_index: Path, question: str) -> None:
    code, _, err = run("ask", question, "--index-dir", str(cli_index))
    assert code == 2
    assert "Error:" in err and "Traceback" not in err


def test_missing_index_says_how_to_build_it(tmp_path: Path) -> None:
    code, _, err = run("ask", QUESTION, "--index-dir", str(tmp_path / "none"))
    assert code == 1
    assert "reportqa index" in err


def test_unknown_report_is_a_clear_error(cli_index: Path) -> None:
    code, _, err = run("ask", QUESTION, "--index-dir", str(cli_index), "--report", "nope")
    assert code == 2
    assert "Unknown report" in err


def test_unavailable_embedder_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    code, _, err = run("index", str(SEED_REPORT), "--index-dir", str(tmp_path / "i"),
                       "--embedder", "BAAI/bge-small-zh-v1.5")  # fmt: skip
    assert code == 1
    assert "not available on this machine" in err and "Traceback" not in err
