"""Word and PDF reports: the same chunks and answers as the plain text, pages for the PDF, and
a clear error naming an encrypted file. Hand-made broken files: tests/unit/test_format_errors.py."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from paths import SEEDS
from report_files import write_docx, write_pdf
from reportqa.errors import InputError
from reportqa.ingest.parse import chunk_report
from reportqa.ingest.read import read_report

REPORT = "jinghu-2024-fazhi"
QUESTIONS = [
    "镜湖区2024年全区共调解矛盾纠纷多少件？",
    "2024年共审查区政府重要文件多少件？",
    "镜湖区2024年商标、专利案件共立案多少件？",
]


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


def _shape(chunks: list) -> list[tuple[str, str]]:  # type: ignore[type-arg]
    return [(_squash(c.section), _squash(c.text)) for c in chunks]


def _copy_as(text_report: str, suffix: str, folder: Path) -> Path:
    """The seed report written as .docx or .pdf, with its sidecar beside it."""
    text = (SEEDS / f"{text_report}.txt").read_text(encoding="utf-8")
    target = folder / f"{text_report}-{suffix}.{suffix}"
    if suffix == "docx":
        write_docx(text, target)
    else:
        write_pdf(text, target, header="镜湖区人民政府 法治政府建设情况报告")
    sidecar = SEEDS / f"{text_report}.meta.json"
    if sidecar.exists():
        shutil.copy(sidecar, folder / f"{target.stem}.meta.json")
    return target


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("formats")
    return {s: _copy_as(REPORT, s, folder) for s in ("docx", "pdf")}


@pytest.mark.parametrize("name", sorted(p.stem for p in SEEDS.glob("*.txt")))
@pytest.mark.parametrize("suffix", ["docx", "pdf"])
def test_same_chunks_as_the_text(tmp_path: Path, name: str, suffix: str) -> None:
    plain = read_report(SEEDS / f"{name}.txt")
    other = read_report(_copy_as(name, suffix, tmp_path))
    want = chunk_report(name, plain.text)
    got = chunk_report(name, other.text, None, other.page_starts)
    assert _shape(got) == _shape(want)
    for chunk in got:
        assert other.text[chunk.start : chunk.end] == chunk.text
    if suffix == "pdf":
        assert other.page_starts[0] == 0 and len(other.page_starts) >= 2
        pages = [c.page for c in got]
        # A chunk names the page it starts on; the last one may start on the page before the end.
        assert pages[0] == 1 and pages == sorted(pages)
        assert pages[-1] in (len(other.page_starts) - 1, len(other.page_starts))
        # Running header and page numbers are gone.
        assert "法治政府建设情况报告\n" not in other.text.split("\n", 1)[1]
        assert not re.search(r"^- \d+ -$", other.text, re.M)
    else:
        assert all(c.page is None for c in got)


def test_pdf_chunk_page_is_where_its_text_is(converted: dict[str, Path]) -> None:
    from pypdf import PdfReader

    report = read_report(converted["pdf"])
    pages = [_squash(p.extract_text()) for p in PdfReader(str(converted["pdf"])).pages]
    for chunk in chunk_report(report.id, report.text, None, report.page_starts):
        head = _squash(chunk.text)[:8]
        assert (
            head in pages[chunk.page - 1] or head in pages[chunk.page - 2] + pages[chunk.page - 1]
        )


def test_docx_and_pdf_give_the_same_answers_as_the_text(
    converted: dict[str, Path],
    all_engine,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    from reportqa.engine import Engine
    from reportqa.indexing.build import build_index
    from reportqa.ingest.parse import ChunkSettings

    reports = [read_report(p) for p in converted.values()]
    build_index(reports, tmp_path / "index", all_engine.embedder, ChunkSettings())
    engine = Engine(tmp_path / "index", embedder=all_engine.embedder)
    for question in QUESTIONS:
        want = all_engine.ask(question, reports=[REPORT])
        assert not want.refused, question
        for report in reports:
            got = engine.ask(question, reports=[report.id])
            assert _squash(got.answer) == _squash(want.answer), (report.id, question)
            assert [c.section for c in got.citations] == [c.section for c in want.citations]
            if report.path.suffix == ".pdf":
                assert all(c.page for c in got.citations)
    # Routing by place works for them too: the sidecar gave their places.
    assert not engine.ask(QUESTIONS[0]).refused


def test_cli_names_the_page_of_a_pdf_citation(converted: dict[str, Path], tmp_path: Path) -> None:
    from click.testing import CliRunner

    from reportqa.cli.main import main

    runner = CliRunner()
    index_dir = str(tmp_path / "index")
    built = runner.invoke(main, ["index", str(converted["pdf"]), "--index-dir", index_dir])
    assert built.exit_code == 0, built.output
    asked = runner.invoke(main, ["ask", QUESTIONS[0], "--index-dir", index_dir, "--json"])
    data = json.loads(asked.output)
    assert not data["refused"] and data["citations"][0]["page"] >= 1
    shown = runner.invoke(main, ["ask", QUESTIONS[0], "--index-dir", index_dir])
    assert re.search(r"第\d+页", shown.output)


# Bad files: a clear error naming the file.


def test_encrypted_pdf_is_named(tmp_path: Path, converted: dict[str, Path]) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(str(converted["pdf"])))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as out:
        writer.write(out)
    with pytest.raises(InputError, match=r"locked\.pdf.*(password|encrypted)"):
        read_report(path)


# Pure pieces.
