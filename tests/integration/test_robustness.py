"""Bad input and faults, one row each: what a careless or hostile user does, and what must happen.

Every row runs the real `reportqa` command (in-process, with the real bundled embedder and real
FAISS) against files made in a temporary folder, and checks the exit status, the message, and
that nothing the user owns was changed. The table also holds kinds that were already handled, so
that they stay handled. Faults that need threads, servers or timing (the build lock, generated
answers) follow the table as their own tests; those that need no model or index (two builds taking
turns, question cost, a generator that hangs) are in tests/unit/test_robustness_rules.py.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from paths import SEED_REPORT
from reportqa.cli.main import main

QUESTION = "2024年镜湖区全区新收行政复议案件多少件？"
# A small report (the seed report's opening), quick to embed, and a question it answers.
TINY_TEXT = SEED_REPORT.read_text(encoding="utf-8")[:700]
TINY_QUESTION = "2024年区政府党组学习习近平法治思想多少次？"


@dataclass
class World:
    """A temporary folder with a user's files in it, and helpers to make more."""

    root: Path
    seed_index: Path
    notes: dict[str, Any] = field(default_factory=dict)

    def reports(self, name: str = "reports", **files: str | bytes) -> Path:
        """A folder of report files (default: one small report)."""
        folder = self.root / name
        folder.mkdir(parents=True, exist_ok=True)
        for filename, content in (files or {"tiny.txt": TINY_TEXT}).items():
            path = folder / filename.replace("__", ".")
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return folder

    def user_folder(self, name: str = "Documents") -> Path:
        """A folder of the user's own files, which must survive every row."""
        folder = self.root / name
        (folder / "sub").mkdir(parents=True, exist_ok=True)
        (folder / "thesis.txt").write_text("三年的心血", encoding="utf-8")
        (folder / "sub" / "photo.jpg").write_bytes(b"\xff\xd8\xff")
        self.notes.setdefault("user_folders", []).append(folder)
        return folder

    def index_copy(self, name: str = "index") -> Path:
        """A copy of a built index of the seed report."""
        target = self.root / name
        shutil.copytree(self.seed_index, target)
        return target

    def built(self, name: str = "index", reports: Path | None = None) -> Path:
        """An index of `reports` built through the command line."""
        index_dir = self.root / name
        result = invoke(["index", str(reports or self.reports()), "--index-dir", str(index_dir)])
        assert result.exit_code == 0, result.output
        return index_dir


def invoke(args: list[str]) -> Result:
    return CliRunner().invoke(main, args)


def snapshot(world: World) -> dict[Path, bytes]:
    """Every file in the user's folders, with its content."""
    return {
        path: path.read_bytes()
        for folder in world.notes.get("user_folders", [])
        for path in folder.rglob("*")
        if path.is_file()
    }


def untouched(world: World) -> None:
    for folder in world.notes.get("user_folders", []):
        assert (folder / "thesis.txt").read_text(encoding="utf-8") == "三年的心血"
        assert (folder / "sub" / "photo.jpg").read_bytes() == b"\xff\xd8\xff"
    if "snapshot" in world.notes:
        assert snapshot(world) == world.notes["snapshot"]


@dataclass(frozen=True)
class Case:
    kind: str  # what the user does
    args: Callable[[World], list[str]]  # prepares files and gives the command line
    code: int  # the exit status that must come back
    says: str = ""  # a fragment of the output or error message
    then: Callable[[World, Result], None] | None = None  # more checks afterwards


# --- the rows ----------------------------------------------------------------------------------


def _index_into(folder: Callable[[World], Path]) -> Callable[[World], list[str]]:
    return lambda w: ["index", str(w.reports()), "--index-dir", str(folder(w))]


def _dot(w: World) -> list[str]:
    w.notes["chdir"] = w.user_folder()
    return ["index", str(w.reports()), "--index-dir", "."]


def _dotdot(w: World) -> list[str]:
    inner = w.user_folder() / "project"
    inner.mkdir()
    w.notes["chdir"] = inner
    return ["index", str(w.reports()), "--index-dir", ".."]


def _home(w: World) -> list[str]:
    w.notes["env"] = {"HOME": str(w.user_folder("home"))}
    return ["index", str(w.reports()), "--index-dir", "~"]


def _foreign_manifest(w: World) -> list[str]:
    folder = w.user_folder("webapp")
    (folder / "manifest.json").write_text('{"name": "my app", "icons": []}', encoding="utf-8")
    w.notes["webapp"] = folder
    return ["index", str(w.reports()), "--index-dir", str(folder)]


def _webapp_kept(w: World, _: Result) -> None:
    manifest = json.loads((w.notes["webapp"] / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == {"name": "my app", "icons": []}


def _reports_inside_index(w: World) -> list[str]:
    index_dir = w.index_copy()
    inside = w.reports("index/mine")
    w.notes["inside"] = inside
    return ["index", str(inside), "--index-dir", str(index_dir)]


def _inside_kept(w: World, _: Result) -> None:
    assert (w.notes["inside"] / "tiny.txt").read_text(encoding="utf-8") == TINY_TEXT


def _replaces_index(w: World) -> list[str]:
    return ["index", str(w.reports()), "--index-dir", str(w.index_copy())]


def _now_holds_tiny(w: World, _: Result) -> None:
    # The seed report indexed before is kept: its file is still there.
    manifest = json.loads((w.root / "index" / "manifest.json").read_text(encoding="utf-8"))
    before = json.loads((w.seed_index / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["reports"]) == {"tiny", *before["reports"]}


def _empty_folder(w: World) -> list[str]:
    (w.root / "empty").mkdir()
    return ["index", str(w.reports()), "--index-dir", str(w.root / "empty")]


def _sidecar(field_json: str) -> Callable[[World], list[str]]:
    def args(w: World) -> list[str]:
        folder = w.reports(**{"tiny.txt": TINY_TEXT, "tiny.meta.json": "{" + field_json + "}"})
        return ["index", str(folder), "--index-dir", str(w.root / "index")]

    return args


def _bad_metadata_in_index(w: World) -> list[str]:
    """An index written before sidecars were checked, holding "years": ["2024"]."""
    index_dir = w.index_copy()
    manifest = json.loads((index_dir / "manifest.json").read_text(encoding="utf-8"))
    manifest["reports"]["jinghu-2024-fazhi"]["years"] = ["2024"]
    (index_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return ["ask", QUESTION, "--index-dir", str(index_dir)]


def _sidecar_text(text: str) -> Callable[[World], list[str]]:
    def args(w: World) -> list[str]:
        folder = w.reports(**{"tiny.txt": TINY_TEXT, "tiny.meta.json": text})
        return ["index", str(folder), "--index-dir", str(w.root / "index")]

    return args


def _became_unreadable(w: World) -> list[str]:
    folder = w.reports(
        **{"tiny.txt": TINY_TEXT, "other.txt": SEED_REPORT.read_text("utf-8")[700:1500]}
    )
    index_dir = w.built(reports=folder)
    (folder / "tiny.txt").write_bytes(b"\x00\x01\x02 damaged copy")
    return ["index", str(folder), "--index-dir", str(index_dir)]


def _still_answers_tiny(w: World, _: Result) -> None:
    manifest = json.loads((w.root / "index" / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["reports"]) == {"tiny", "other"}
    asked = invoke(["ask", TINY_QUESTION, "--index-dir", str(w.root / "index"), "--json"])
    assert asked.exit_code == 0 and "8次" in json.loads(asked.stdout)["answer"]


def _one_broken_among_good(w: World) -> list[str]:
    folder = w.reports(**{"tiny.txt": TINY_TEXT, "broken.pdf": b"not a pdf"})
    return ["index", str(folder), "--index-dir", str(w.root / "index")]


def _tiny_indexed(w: World, _: Result) -> None:
    manifest = json.loads((w.root / "index" / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["reports"]) == {"tiny"}


def _deleted(name: str) -> Callable[[World], list[str]]:
    def args(w: World) -> list[str]:
        folder = w.reports()
        index_dir = w.built(reports=folder)
        target = index_dir / name
        if name == "vectors.npy":  # cut short rather than deleted
            target.write_bytes(target.read_bytes()[:100])
        else:
            target.unlink()
        return ["index", str(folder), "--index-dir", str(index_dir)]

    return args


def _asks_after_repair(w: World, result: Result) -> None:
    assert "up to date" not in result.output
    asked = invoke(["ask", TINY_QUESTION, "--index-dir", str(w.root / "index"), "--json"])
    assert asked.exit_code == 0 and "8次" in json.loads(asked.stdout)["answer"]


def _damaged(name: str, content: bytes) -> Callable[[World], list[str]]:
    def args(w: World) -> list[str]:
        index_dir = w.index_copy()
        (index_dir / name).write_bytes(content)
        return ["ask", QUESTION, "--index-dir", str(index_dir)]

    return args


def _hint_names_the_index(w: World, result: Result) -> None:
    """The rebuild command in the message rebuilds this index from its own reports."""
    assert f"--index-dir {(w.root / 'index').resolve()}" in result.output
    assert "Traceback" not in result.output


def _hint_names_the_reports(w: World, result: Result) -> None:
    _hint_names_the_index(w, result)
    assert str(SEED_REPORT) in result.output


def _stale_temp_folder(w: World) -> list[str]:
    folder = w.reports()
    index_dir = w.built("my-reports-index", folder)
    # A build killed long ago (pid 2**22 + 1 is above Linux's pid_max, so never alive).
    stale = w.root / f".my-reports-index.building-{2**22 + 1}-abc_12"
    (stale / "reports").mkdir(parents=True)
    w.notes["stale"] = stale
    return ["index", str(folder), "--index-dir", str(index_dir)]


def _stale_removed(w: World, result: Result) -> None:
    assert "up to date" in result.output
    assert not w.notes["stale"].exists()


def _other_embedder_in_env(w: World) -> list[str]:
    w.notes["env"] = {"REPORTQA_EMBEDDER": "BAAI/bge-small-zh-v1.5"}
    return ["ask", QUESTION, "--index-dir", str(w.index_copy())]


def _default_embedder_alias_in_env(w: World) -> list[str]:
    w.notes["env"] = {"REPORTQA_EMBEDDER": "use"}
    return ["ask", QUESTION, "--index-dir", str(w.index_copy())]


def _batch(content: bytes, *extra: str) -> Callable[[World], list[str]]:
    def args(w: World) -> list[str]:
        path = w.root / "questions.jsonl"
        path.write_bytes(content)
        return ["ask", "--batch", str(path), *extra, "--index-dir", str(w.index_copy())]

    return args


def _good_batch_lines_answered(w: World, result: Result) -> None:
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert "120件" in rows[0]["answer"]
    assert rows[1] == {"line": 2, "error": rows[1]["error"]} and "UTF-8" in rows[1]["error"]
    assert "50.6%" in rows[2]["answer"]


def _ask(question: str, *extra: str) -> Callable[[World], list[str]]:
    return lambda w: ["ask", question, *extra, "--index-dir", str(w.index_copy())]


def _ask_from_inside(w: World) -> list[str]:
    w.notes["chdir"] = w.index_copy()
    return ["ask", QUESTION, "--index-dir", "."]


def _list_from_inside(w: World) -> list[str]:
    w.notes["chdir"] = w.index_copy()
    return ["reports", "--index-dir", "."]


def _answers_120(_: World, result: Result) -> None:
    data = json.loads(result.stdout)
    assert "120件" in data["answer"] and not data["refused"]
    assert "\x1b" not in data["question"] and "[31m" not in data["question"]


def _index_file(filename: str, content: bytes) -> Callable[[World], list[str]]:
    def args(w: World) -> list[str]:
        folder = w.reports(**{filename: content})
        return ["index", str(folder / filename), "--index-dir", str(w.root / "index")]

    return args


UTF16 = ("\ufeff" + TINY_TEXT).encode("utf-16-le")

CASES = [
    # Where the index goes: only ever replace a folder reportqa made.
    Case(
        "--index-dir a folder of the user's files",
        _index_into(lambda w: w.user_folder()),
        2,
        "Refusing",
        lambda w, r: untouched(w),
    ),  # fmt: skip
    Case(
        "--index-dir the reports folder itself",
        lambda w: ["index", str(w.reports()), "--index-dir", str(w.reports())],
        2,
        "Refusing",
        lambda w, r: _inside_kept_default(w),
    ),  # fmt: skip
    Case("--index-dir .", _dot, 2, "current folder"),
    Case("--index-dir ..", _dotdot, 2, "Refusing"),
    Case("--index-dir ~ (the home folder)", _home, 2, "home"),
    Case(
        "--index-dir a folder with another program's manifest.json",
        _foreign_manifest,
        2,
        "not a reportqa index",
        _webapp_kept,
    ),  # fmt: skip
    Case(
        "reports inside the index folder", _reports_inside_index, 2, "holds a report", _inside_kept
    ),  # fmt: skip
    Case(
        "--index-dir an existing index (a report added)",
        _replaces_index,
        0,
        "Kept 1 report(s) indexed before",
        _now_holds_tiny,
    ),  # fmt: skip
    Case("--index-dir an empty folder", _empty_folder, 0, "Indexed 1 reports"),
    Case(
        "--index-dir a file",
        lambda w: ["index", str(w.reports()), "--index-dir", str(w.reports() / "tiny.txt")],
        2,
        "",
    ),  # fmt: skip
    # Sidecars with wrong types are refused when indexing, naming the file and the field.
    Case('sidecar "years": ["2024"]', _sidecar('"years": ["2024"]'), 2, '"years"'),
    Case('sidecar "places": "x"', _sidecar('"places": "x"'), 2, '"places"'),
    Case(
        "sidecar that is not JSON",
        lambda w: [
            "index",
            str(w.reports(**{"tiny.txt": TINY_TEXT, "tiny.meta.json": "{title"})),
            "--index-dir",
            str(w.root / "index"),
        ],
        2,
        "tiny.meta.json",
    ),  # fmt: skip
    Case(
        "an index built with a bad sidecar, then ask",
        _bad_metadata_in_index,
        1,
        '"years"',
        _hint_names_the_index,
    ),  # fmt: skip
    # A report that cannot be read is never silently dropped; a failed file fails the command.
    Case(
        "an indexed report becomes unreadable",
        _became_unreadable,
        1,
        "Kept the indexed copy of tiny",
        _still_answers_tiny,
    ),  # fmt: skip
    Case(
        "one broken file among good ones", _one_broken_among_good, 1, "broken.pdf", _tiny_indexed
    ),  # fmt: skip
    # A rebuild checks every file the manifest promises.
    Case(
        "dense.faiss deleted, then index", _deleted("dense.faiss"), 0, "Indexed", _asks_after_repair
    ),  # fmt: skip
    Case(
        "vectors.npy cut short, then index",
        _deleted("vectors.npy"),
        0,
        "Indexed",
        _asks_after_repair,
    ),  # fmt: skip
    # Damage messages name the command that rebuilds this index from its reports.
    Case(
        "chunks.jsonl damaged, then ask",
        _damaged("chunks.jsonl", b"{oops\n"),
        1,
        "damaged",
        _hint_names_the_reports,
    ),  # fmt: skip
    Case(
        "manifest.json garbage, then ask",
        _damaged("manifest.json", b"\x00garbage"),
        1,
        "unreadable",
        _hint_names_the_index,
    ),  # fmt: skip
    Case(
        "dense.faiss garbage, then ask",
        _damaged("dense.faiss", b"garbage"),
        1,
        "damaged",
        _hint_names_the_reports,
    ),  # fmt: skip
    # A killed build's temporary folder is removed, whatever the index is called.
    Case(
        "stale temp folder, index name with '-', up-to-date run",
        _stale_temp_folder,
        0,
        "up to date",
        _stale_removed,
    ),  # fmt: skip
    # REPORTQA_EMBEDDER is held to the index's embedder, like --embedder.
    Case("REPORTQA_EMBEDDER names another model", _other_embedder_in_env, 1, "REPORTQA_EMBEDDER"),
    Case(
        "REPORTQA_EMBEDDER names the default by alias", _default_embedder_alias_in_env, 0, "120件"
    ),
    Case(
        "--embedder names another model",
        _ask(QUESTION, "--embedder", "other-model"),
        1,
        "built with the embedder",
    ),  # fmt: skip
    # Questions and options.
    Case(
        "--batch file with a line that is not UTF-8",
        _batch(
            b'{"question": "' + QUESTION.encode() + b'"}\n{"question": "\xff\xfe"}\n'
            b'{"question": "2024\xe5\xb9\xb4\xe8\xa1\x8c\xe6\x94\xbf\xe5\xa4\x8d\xe8\xae\xae'
            b"\xe8\xb0\x83\xe8\xa7\xa3\xe7\x8e\x87\xe6\x98\xaf\xe5\xa4\x9a\xe5\xb0\x91\xef\xbc"
            b'\x9f"}\n'
        ),
        2,
        "line 2",
        _good_batch_lines_answered,
    ),  # fmt: skip
    Case(
        "--batch file with a line that is not JSON",
        _batch(b'{"question": "\xe7\xa0\x81\xe4\xb8\x8a\xe7\x9f\xa5"}\nnot json\n'),
        2,
        "line 2",
    ),
    Case(
        "--batch FILE and a question", _batch(b'{"question": "x"}\n', "a question"), 2, "not both"
    ),  # fmt: skip
    Case("--top-k 0", _ask(QUESTION, "--top-k", "0"), 2, "top-k"),
    Case("--top-k -3", _ask(QUESTION, "--top-k", "-3"), 2, "top-k"),
    Case(
        "--max-chars 0",
        lambda w: [
            "index",
            str(w.reports()),
            "--max-chars",
            "0",
            "--index-dir",
            str(w.root / "index"),
        ],
        2,
        "max-chars",
    ),  # fmt: skip
    Case(
        "--overlap -1",
        lambda w: [
            "index",
            str(w.reports()),
            "--overlap",
            "-1",
            "--index-dir",
            str(w.root / "index"),
        ],
        2,
        "overlap",
    ),  # fmt: skip
    Case(
        "a question with ANSI colour codes",
        _ask("\x1b[31m" + QUESTION + "\x1b[0m", "--json"),
        0,
        "120件",
        _answers_120,
    ),  # fmt: skip
    Case(
        "a question with control characters",
        _ask("2024年\x07镜湖区\x00全区新收\u200b行政复议案件多少件？\r", "--json"),
        0,
        "120件",
        _answers_120,
    ),  # fmt: skip
    Case("a question of control characters only", _ask("\x1b[0m\x07\x08"), 2, "Error:"),
    Case("an empty question", _ask(""), 2, "Error:"),
    Case("a blank question", _ask("  \n\t "), 2, "Error:"),
    Case("a question over 2,000 characters", _ask("问" * 2001), 2, "2000"),
    Case("ask --index-dir . inside the index folder", _ask_from_inside, 0, "120件"),
    Case("reports --index-dir . inside the index folder", _list_from_inside, 0, "1 reports"),
    Case(
        "a question holding markup",
        _ask("<script>alert(1)</script>2024年全区新收行政复议案件多少件？", "--json"),
        0,
        '"answer"',  # refused: the report never names SCRIPT (the browser test checks escaping)
    ),
    Case("a question of punctuation only", _ask("？？？!!!", "--json"), 0, '"refused": true'),
    Case(
        "the same --report twice",
        _ask(QUESTION, "--report", "jinghu-2024-fazhi", "--report", "jinghu-2024-fazhi"),
        0,
        "120件",
    ),
    Case("an unknown --report", _ask(QUESTION, "--report", "nope"), 2, "Unknown report"),
    Case(
        "ask without an index",
        lambda w: ["ask", QUESTION, "--index-dir", str(w.root / "none")],
        1,
        "reportqa index",
    ),  # fmt: skip
    # Report files.
    Case("a UTF-16 report with a BOM", _index_file("u16.txt", UTF16), 0, "Indexed 1 reports"),
    Case(
        "a GBK report", _index_file("gbk.txt", TINY_TEXT.encode("gb18030")), 0, "Indexed 1 reports"
    ),  # fmt: skip
    Case("a binary file named .txt", _index_file("bin.txt", b"\x00\x01\x02\x03"), 2, "binary"),
    Case("an empty report", _index_file("empty.txt", b"  \n"), 2, "no text"),
    Case("an unsupported file type", _index_file("r.xlsx", b"PK"), 2, "unsupported"),
    Case(
        "a missing file",
        lambda w: ["index", str(w.root / "nope.txt"), "--index-dir", str(w.root / "index")],
        2,
        "nope.txt",
    ),  # fmt: skip
    Case(
        "a folder with no reports",
        lambda w: [
            "index",
            str(w.reports("pics", **{"a.jpg": b"\xff"})),
            "--index-dir",
            str(w.root / "index"),
        ],
        2,
        "No .txt",
    ),  # fmt: skip
    Case(
        "two reports with one name",
        lambda w: [
            "index",
            str(w.reports("a")),
            str(w.reports("b")),
            "--index-dir",
            str(w.root / "index"),
        ],
        2,
        "share the name",
    ),  # fmt: skip
    Case("a sidecar holding a list", _sidecar_text("[]"), 2, "JSON object"),
    Case(
        "hidden files and Word lock files beside a report",
        lambda w: [
            "index",
            str(
                w.reports(**{"tiny.txt": TINY_TEXT, ".draft.txt": b"\x00", "~$tiny.docx": b"\x00"})
            ),
            "--index-dir",
            str(w.root / "index"),
        ],
        0,
        "Indexed 1 reports",
    ),
    Case(
        "a report named with spaces and Chinese",
        _index_file("镜湖 区 报告.txt", TINY_TEXT.encode()),
        0,
        "Indexed 1 reports",
    ),
    Case(
        "remove from a missing index",
        lambda w: ["remove", "x", "--index-dir", str(w.root / "none")],
        1,
        "No index",
    ),
    Case(
        "remove a report that is not indexed",
        lambda w: ["remove", "nope", "--index-dir", str(w.index_copy())],
        1,
        "Not in the index",
    ),  # fmt: skip
    Case(
        "remove the last report",
        lambda w: ["remove", "jinghu-2024-fazhi", "--index-dir", str(w.index_copy())],
        1,
        "empty",
    ),  # fmt: skip
]


def _inside_kept_default(w: World) -> None:
    assert (w.root / "reports" / "tiny.txt").read_text(encoding="utf-8") == TINY_TEXT
    assert not (w.root / "reports" / "manifest.json").exists()


@pytest.fixture
def world(
    tmp_path: Path, seed_index: Path, embedder: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    import reportqa.engine
    import reportqa.indexing.embed

    # The real bundled model, loaded once for the module rather than once per command.
    real_load = reportqa.indexing.embed.load_embedder

    def load(name: str | None = None) -> Any:
        chosen = reportqa.indexing.embed.resolve_embedder_name(name)
        return embedder if chosen == embedder.name else real_load(name)

    monkeypatch.setattr(reportqa.indexing.embed, "load_embedder", load)
    monkeypatch.setattr(reportqa.engine, "load_embedder", load)
    monkeypatch.delenv("REPORTQA_EMBEDDER", raising=False)
    yield World(tmp_path, seed_index)


@pytest.mark.parametrize("case", CASES, ids=[c.kind for c in CASES])
def test_bad_input(case: Case, world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    args = case.args(world)
    world.notes["snapshot"] = snapshot(world)
    for name, value in world.notes.get("env", {}).items():
        monkeypatch.setenv(name, value)
    # relative paths land in the temporary folder, never in the project
    monkeypatch.chdir(world.notes.get("chdir", world.root))
    result = invoke(args)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert "Traceback" not in result.output
    assert result.exit_code == case.code, result.output
    assert case.says in result.output, result.output
    if case.then:
        case.then(world, result)
    untouched(world)


# --- the build lock ----------------------------------------------------------------------------


def test_commands_that_write_the_index_take_its_lock(seed_index: Path, tmp_path: Path) -> None:
    from reportqa.errors import InputError
    from reportqa.indexing.build import remove_reports
    from reportqa.indexing.guard import index_lock

    index_dir = tmp_path / "index"
    shutil.copytree(seed_index, index_dir)
    outcome: list[BaseException] = []

    def remove() -> None:
        try:
            remove_reports(index_dir, ["nope"])
        except InputError as exc:
            outcome.append(exc)

    with index_lock(index_dir):
        worker = threading.Thread(target=remove)
        worker.start()
        worker.join(0.5)
        assert worker.is_alive() and not outcome, "remove did not wait for the lock"
    worker.join(10)
    assert outcome and "Not in the index" in str(outcome[0])


# --- generated answers -------------------------------------------------------------------------


class _Trickle(BaseHTTPRequestHandler):
    """An OpenAI-compatible server that keeps the stream alive with comment lines and never
    finishes an answer within the client's deadline."""

    seconds = 6.0

    def do_POST(self) -> None:  # noqa: N802 - the http.server API
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        started = time.monotonic()
        try:
            while time.monotonic() - started < self.seconds:
                self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
                time.sleep(0.2)
            self.wfile.write(b"data: [DONE]\n\n")
        except OSError:
            pass

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def trickle_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Trickle)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def test_the_generation_deadline_covers_the_whole_request(
    trickle_server: str, all_engine: Any
) -> None:
    from reportqa.generate.backends import OpenAIGenerator

    all_engine.ask(QUESTION)  # the first answer loads the tokenizers; not what is measured
    all_engine.generator = OpenAIGenerator(base_url=trickle_server, timeout_s=1.0)
    try:
        started = time.monotonic()
        answer = all_engine.ask(QUESTION)
        elapsed = time.monotonic() - started
    finally:
        all_engine.generator = None
    # The server would hold the request for 6 s; the deadline is 1 s in all.
    assert elapsed < 4.0
    assert answer.verified is False and answer.notice
    assert any("1 s" in p for p in answer.problems), answer.problems
    assert "120件" in answer.answer  # the extractive answer, with the notice


def test_the_cli_shows_why_a_generated_answer_was_replaced(
    trickle_server: str, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REPORTQA_OPENAI_BASE_URL", trickle_server)
    monkeypatch.setenv("REPORTQA_OPENAI_TIMEOUT", "1")
    result = invoke(["ask", QUESTION, "--generator", "openai", "--index-dir",
                     str(world.index_copy())])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "120件" in result.stdout
    assert "no complete answer" in result.stderr and "1 s" in result.stderr


# --- the web API's report list -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("reports", "says"),
    [([1], "report ids"), ({"a": 1}, "list of report ids"), ("nope", "Unknown report(s): nope")],
)
def test_ask_validates_the_report_list(all_engine: Any, reports: Any, says: str) -> None:
    from reportqa.errors import InputError

    with pytest.raises(InputError, match=None) as raised:
        all_engine.ask(QUESTION, reports=reports)
    assert says in str(raised.value)


def test_one_report_id_as_a_plain_string_is_one_report(all_engine: Any) -> None:
    from ui.chat import resolve_reports

    answer = all_engine.ask(QUESTION, reports="jinghu-2024-fazhi")
    assert "120件" in answer.answer
    # the web API's path: a string is one id, not a list of its characters
    assert resolve_reports(all_engine, "jinghu-2024-fazhi") == ["jinghu-2024-fazhi"]
