"""The conversation as text people can paste: plain text for the copy buttons, Markdown for export.

Both list every cited passage with its report, section and place (第N段, 第N页), so a pasted answer
can still be checked; neither carries HTML.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from reportqa.records import Citation

# A function giving "第3页 第12段" for a citation; the web chat passes one that knows the reports.
Locate = Callable[[Citation], str]


def _locate_nothing(citation: Citation) -> str:
    return f"第 {citation.page} 页" if citation.page else ""


def _one_line(text: str) -> str:
    return re.sub(r"\s*\n\s*", " ", text).strip()


def answer_plain(
    answer: str,
    citations: Sequence[Citation],
    refused: bool = False,
    locate: Locate = _locate_nothing,
) -> str:
    """The answer followed by its sources, as plain text."""
    head = f"报告中没有答案：{answer}" if refused else answer
    if not citations or refused:
        return head
    lines = [head, "", "来源："]
    for c in citations:
        where = locate(c)
        section = f" {c.section}" if c.section else ""
        lines.append(f"[{c.n}] 《{c.title}》{section}{' ' + where if where else ''}")
        lines.append(f"    {_one_line(c.text)}")
    return "\n".join(lines)


def _md_escape(text: str) -> str:
    """Text that Markdown shows as written: no accidental emphasis, headings or links."""
    return re.sub(r"([\\`*_{}\[\]<>#|])", r"\\\1", text)


def turn_markdown(
    asked: str,
    answer: str,
    citations: Sequence[Citation],
    refused: bool = False,
    understood: str | None = None,
    locate: Locate = _locate_nothing,
) -> str:
    """One question and its answer, with its sources quoted, as Markdown."""
    parts = [f"## 问：{_md_escape(_one_line(asked))}", ""]
    if understood and understood != asked:
        parts += [f"*结合上文理解为：{_md_escape(understood)}*", ""]
    if refused:
        parts += [f"**报告中没有答案。** {_md_escape(answer)}", ""]
        return "\n".join(parts)
    # [n] markers stay readable; they refer to the numbered sources below.
    parts += [f"答：{_md_escape(answer)}", ""]
    if citations:
        parts += ["来源：", ""]
        for c in citations:
            where = locate(c)
            section = f" · {_md_escape(c.section)}" if c.section else ""
            parts.append(
                f"{c.n}. 《{_md_escape(c.title)}》{section}{' · ' + where if where else ''}"
            )
            parts.append(f"   > {_md_escape(_one_line(c.text))}")
        parts.append("")
    return "\n".join(parts)


def conversation_markdown(turns: Sequence[str], title: str = "政府报告问答 · 对话记录") -> str:
    return "\n".join([f"# {title}", "", *turns]).rstrip() + "\n"
