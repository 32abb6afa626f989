"""Word and PDF reading on hand-made files: clear errors naming the file for scanned or broken
files, page furniture removed, page numbers recognised, and Word's numbering rendered."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportqa.errors import InputError
from reportqa.ingest.formats import (
    Level,
    chinese_number,
    clean_pdf_pages,
    is_page_number,
    render_number,
)
from reportqa.ingest.read import read_report


def test_scanned_pdf_without_text_is_named(tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(50, 50, 400, 600, fill=1)  # an image-only page: no text layer
    pdf.showPage()
    pdf.save()
    with pytest.raises(InputError, match=r"scan\.pdf.*no text layer"):
        read_report(path)


@pytest.mark.parametrize("suffix", ["pdf", "docx"])
def test_broken_file_is_named(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"broken.{suffix}"
    path.write_bytes(b"this is not a real file")
    with pytest.raises(InputError, match=rf"broken\.{suffix}"):
        read_report(path)


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
