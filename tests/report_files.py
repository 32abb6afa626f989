"""Write a report's text as a .docx or a paged .pdf, the way offices publish them."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from reportqa.ingest.parse import heading_kind

PDF_FONT = "STSong-Light"
INDENT = "\u3000\u3000"


def _width(ch: str) -> int:
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def wrap(line: str, width: int) -> list[str]:
    """Break a paragraph into lines of at most `width` half-width cells, as a layout would."""
    out: list[str] = []
    current, used = "", 0
    for ch in line:
        if used + _width(ch) > width and current:
            out.append(current)
            current, used = "", 0
        current += ch
        used += _width(ch)
    if current:
        out.append(current)
    return out


def write_docx(text: str, path: Path) -> Path:
    """Paragraph per line; numbered heading lines get Word heading styles, like a real report."""
    from docx import Document

    document = Document()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    document.add_paragraph(lines[0], style="Title")
    for line in lines[1:]:
        kind = heading_kind(line)
        if kind is not None and len(line) <= 40:
            document.add_paragraph(line, style=f"Heading {min(kind, 2) + 1}")
        else:
            document.add_paragraph(line)
    document.save(str(path))
    return path


def write_pdf(
    text: str, path: Path, header: str = "", width: int = 70, lines_per_page: int = 40
) -> Path:
    """A PDF with wrapped lines, a running header and a page-number footer on every page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(PDF_FONT))
    paragraphs = [ln.strip() for ln in text.splitlines() if ln.strip()]
    # Paragraphs after the title open with a two-character indent, as Chinese documents do.
    layout = [
        w for k, ln in enumerate(paragraphs) for w in wrap(("" if k == 0 else INDENT) + ln, width)
    ]
    pages = [layout[i : i + lines_per_page] for i in range(0, len(layout), lines_per_page)]
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for number, page in enumerate(pages, start=1):
        pdf.setFont(PDF_FONT, 9)
        if header:
            pdf.drawString(50, 815, header)
        pdf.drawString(290, 25, f"- {number} -")
        pdf.setFont(PDF_FONT, 10)
        for row, line in enumerate(page):
            pdf.drawString(50, 790 - row * 18, line)
        pdf.showPage()
    pdf.save()
    return path
