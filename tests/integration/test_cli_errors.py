"""Every command's error paths: click prints "Error: <message>" on stderr and exits with the status
the error carries (2 for input a command cannot use, 1 for anything else), never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from paths import SEED_REPORT
from reportqa.cli.main import main
from reportqa.errors import (
    AdminRefused,
    CommandError,
    CommandInputError,
    IndexUnusableError,
    InputError,
    ModelUnavailableError,
    command_error,
)

SEED = SEED_REPORT
QUESTION = "2024年镜湖区全区新收行政复议案件多少件？"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def assert_fails(result: Result, status: int, message: str) -> None:
    """The command ended through click with `status`, and said `message` on stderr after "Error:"."""
    assert isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert result.exit_code == status, result.output
    assert "Error: " in result.stderr and message in result.stderr, result.stderr
    assert message not in result.stdout  # a script reading stdout does not take it for output


# --- the one mapping from library errors to exit statuses ---------------------------------------


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (InputError("bad question"), 2),
        (IndexUnusableError("no index"), 1),
        (ModelUnavailableError("no model"), 1),
        (AdminRefused("no admin"), 1),
    ],
)
def test_library_errors_map_to_one_status_each(error: Exception, status: int) -> None:
    assert isinstance(error, InputError | IndexUnusableError | ModelUnavailableError | AdminRefused)
    mapped = command_error(error)
    assert isinstance(mapped, CommandError) and mapped.exit_code == status
    assert mapped.format_message() == str(error)


def test_commands_that_always_exited_1_keep_it_for_bad_input() -> None:
    mapped = command_error(InputError("Not in the index: x"), input_status=1)
    assert mapped.exit_code == 1 and not isinstance(mapped, CommandInputError)


# --- index ----------------------------------------------------------------------------------------


def test_index_of_a_folder_without_reports(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = invoke("index", str(tmp_path / "empty"), "--index-dir", str(tmp_path / "i"))
    assert_fails(result, 2, "reports found in")


def test_index_into_a_folder_of_other_files(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    result = invoke("index", str(SEED), "--index-dir", str(folder))
    assert_fails(result, 2, "it holds files and is not a reportqa index")
    assert [p.name for p in folder.iterdir()] == ["notes.txt"]


def test_index_with_a_model_that_is_not_there(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-model"
    result = invoke(
        "index", str(SEED), "--index-dir", str(tmp_path / "i"), "--embedder", str(missing)
    )
    assert_fails(result, 1, "no-such-model")
    assert not (tmp_path / "i").exists()


def test_index_with_an_unreadable_file_indexes_the_rest_and_exits_1(
    tmp_path: Path, seed_index: Path
) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(seed_index, index_dir)  # the seed report is reused, nothing is embedded
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copy(SEED, reports / SEED.name)
    (reports / "broken.pdf").write_bytes(b"%PDF-1.4 not really")
    result = invoke("index", str(reports), "--index-dir", str(index_dir))
    assert_fails(result, 1, "1 file(s) could not be read (see above).")
    assert "broken.pdf" in result.stderr
    assert "1 reports" in result.stdout  # the readable report is in the index


# --- ask ------------------------------------------------------------------------------------------


def test_ask_an_empty_question(tmp_path: Path) -> None:
    assert_fails(invoke("ask", "   ", "--index-dir", str(tmp_path / "none")), 2, "question")


def test_ask_a_question_and_a_batch(tmp_path: Path) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_text('{"question": "x"}\n', encoding="utf-8")
    result = invoke("ask", QUESTION, "--batch", str(batch), "--index-dir", str(tmp_path))
    assert_fails(result, 2, "not both")


def test_ask_without_an_index(tmp_path: Path) -> None:
    assert_fails(invoke("ask", QUESTION, "--index-dir", str(tmp_path / "none")), 1, "No index")


# --- eval: every error exits with 1, as it always has ---------------------------------------------


def test_eval_of_a_split_that_has_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no eval/ folder here
    result = invoke("eval", "--split", "dev", "--index-dir", str(tmp_path / "none"))
    assert_fails(result, 1, "No question file for the split 'dev'")


def test_eval_of_a_malformed_question_file(tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "a", "question": "q"}\nnot json\n', encoding="utf-8")
    result = invoke("eval", str(questions), "--index-dir", str(tmp_path / "none"))
    assert_fails(result, 1, "line 2")


def test_eval_without_an_index(tmp_path: Path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text('{"id": "a", "question": "q"}\n', encoding="utf-8")
    result = invoke("eval", str(questions), "--index-dir", str(tmp_path / "none"), "--no-progress")
    assert_fails(result, 1, "No index")


# --- reports, remove ------------------------------------------------------------------------------


def test_reports_without_an_index(tmp_path: Path) -> None:
    assert_fails(invoke("reports", "--index-dir", str(tmp_path / "none")), 1, "No index at")


def test_reports_of_a_damaged_index(tmp_path: Path) -> None:
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / "manifest.json").write_text("{not json", encoding="utf-8")
    assert_fails(invoke("reports", "--index-dir", str(tmp_path / "index")), 1, "manifest")


def test_remove_from_a_missing_index(tmp_path: Path) -> None:
    result = invoke("remove", "x", "--index-dir", str(tmp_path / "none"))
    assert_fails(result, 1, "No index")


def test_remove_a_report_that_is_not_indexed(tmp_path: Path, seed_index: Path) -> None:
    index_dir = tmp_path / "index"
    shutil.copytree(seed_index, index_dir)
    result = invoke("remove", "nope", "--index-dir", str(index_dir))
    assert_fails(result, 1, "Not in the index: nope")


# --- serve: refused before it listens -------------------------------------------------------------


def test_serve_admin_on_an_open_address_without_a_token(tmp_path: Path) -> None:
    result = invoke("serve", "--host", "0.0.0.0", "--admin", "--index-dir", str(tmp_path))
    assert_fails(result, 1, "token")


def test_serve_without_an_index(tmp_path: Path) -> None:
    assert_fails(invoke("serve", "--index-dir", str(tmp_path / "none")), 1, "No index")


# --- options that do not fit together, feedback ---------------------------------------------------


def test_milvus_backend_without_a_usable_address(tmp_path: Path) -> None:
    result = invoke(
        "ask", QUESTION, "--index-dir", str(tmp_path), "--backend", "milvus", "--milvus-uri", "x"
    )
    assert_fails(result, 2, "neither a server address")


def test_feedback_file_that_is_not_text(tmp_path: Path) -> None:
    path = tmp_path / "feedback.jsonl"
    path.write_bytes(b"\xff\xfe\x00 not text\n")
    result = invoke("feedback", "--feedback", str(path))
    assert_fails(result, 2, f"Cannot read the feedback file {path}")
