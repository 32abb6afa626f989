"""Word and PDF reports: the same chunks and answers as the plain text, pages for the PDF, and
clear errors naming the file for scanned, encrypted or broken files."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from report_files import write_docx, write_pdf
from reportqa.errors import InputError
from reportqa.ingest.formats import (
    Level,
    chinese_number,
    clean_pdf_pages,
    is_page_number,
    render_number,
)
from reportqa.ingest.parse import chunk_report
from reportqa.ingest.read import read_report

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
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


def test_scanned_pdf_without_text_is_named(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(50, 50, 400, 600, fill=1)  # an image-only page: no text layer
    pdf.showPage()
    pdf.save()
    with pytest.raises(InputError, match=r"scan\.pdf.*no text layer"):
        read_report(path)


def test_encrypted_pdf_is_named(tmp_path: Path, converted: dict[str, Path]) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(str(converted["pdf"])))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as out:
        writer.write(out)
    with pytest.raises(InputError, match=r"locked\.pdf.*(password|encrypted)"):
        read_report(path)


@pytest.mark.parametrize("suffix", ["pdf", "docx"])
def test_broken_file_is_named(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"broken.{suffix}"
    path.write_bytes(b"this is not a real file")
    with pytest.raises(InputError, match=rf"broken\.{suffix}"):
        read_report(path)


# Pure pieces.


def test_page_furniture_is_removed_and_wrapped_lines_rejoined() -> None:
    body = "这是一段很长的正文内容需要换行显示在下一行里面继续"
    pages = [
        f"某某区政府工作报告\n标题\n{body}\n接着写完。\n- 1 -",
        f"某某区政府工作报告\n{body}\n接着写完。\n第 2 页",
        f"某某区政府工作报告\n二、第二部分\n{body}\n结束。\n3",
    ]
    paged = clean_pdf_pages(pages)
    assert "某某区政府工作报告" not in paged.text
    assert paged.text.splitlines() == [
        "标题",
        body + "接着写完。",
        body + "接着写完。",
        "二、第二部分",
        body + "结束。",
    ]
    assert [paged.text[s : s + 2] for s in paged.page_starts] == ["标题", body[:2], "二、"]


def test_page_number_shapes() -> None:
    for line in ("3", "- 3 -", "— 12 —", "第3页", "第 3 页 共 9 页", "3/9", "Page 3 of 9"):
        assert is_page_number(line), line
    for line in ("2024年", "一、总体情况", "30 1 0 0"):
        assert not is_page_number(line), line


def test_word_numbering_is_rendered() -> None:
    assert [chinese_number(n) for n in (1, 10, 11, 20, 23, 100, 105)] == [
        "一", "十", "十一", "二十", "二十三", "一百", "一百零五",
    ]  # fmt: skip
    levels = {0: Level("chineseCounting", "%1、"), 1: Level("chineseCounting", "（%2）")}
    assert render_number(levels, [2], 0) == "二、"
    assert render_number(levels, [2, 3], 1) == "（三）"


def test_docx_auto_numbering_styles_and_tables(tmp_path: Path) -> None:
    from docx import Document

    document = Document()
    document.add_paragraph("某某区2024年工作报告", style="Title")
    document.add_paragraph("总体情况", style="Heading 1")  # a heading with no number of its own
    document.add_paragraph("正文第一段。")
    document.add_paragraph("第一项", style="List Number")  # Word's automatic numbering
    document.add_paragraph("第二项", style="List Number")
    document.add_paragraph("主要问题", style="Heading 1")
    table = document.add_table(rows=2, cols=3)
    for r, row in enumerate([("项目", "数量", "占比"), ("公开", "30", "50%")]):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    path = tmp_path / "numbered.docx"
    document.save(str(path))
    assert read_report(path).text.splitlines() == [
        "某某区2024年工作报告",
        "一、总体情况",
        "正文第一段。",
        "1.第一项",
        "2.第二项",
        "二、主要问题",
        "项目 数量 占比",
        "公开 30 50%",
    ]
