"""Cleaning and checking what a person or a program hands in: questions, report lists, batch lines.

Pure functions. Terminal colour codes and other control characters come in from copy and paste
and from scripts; they are not part of a question and would otherwise be searched for.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from reportqa.errors import InputError

# ANSI escape sequences: CSI (ESC [ ... final byte), OSC (ESC ] ... BEL or ESC \), and two-byte ones.
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[@-Z\\-_]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)
# C0 and C1 control characters, DEL, and zero-width or direction marks that change no meaning.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def clean_question(question: str) -> str:
    """The question without terminal escape sequences and control characters (tabs and line
    breaks become spaces)."""
    text = _ANSI.sub("", question)
    text = _CONTROL.sub("", text)
    return re.sub(r"[\t\n\r]+", " ", text)


def report_ids(reports: Any) -> list[str] | None:
    """Report ids as a list of strings; None for no restriction.

    A single string is one report, not a list of its characters; anything but strings is refused
    with a message rather than failing deep inside the search.
    """
    if reports is None or reports == "" or reports == []:
        return None
    if isinstance(reports, str):
        return [reports]
    if not isinstance(reports, (list, tuple)):
        raise InputError(
            "reports 应为报告编号（文字）的列表。"
            f"(reports must be a list of report ids (strings), not {type(reports).__name__}.)"
        )
    bad = [r for r in reports if not isinstance(r, str)]
    if bad:
        raise InputError(
            f"reports 应为报告编号（文字）。(reports must be report ids (strings); got {bad[0]!r}.)"
        )
    return list(reports) or None


@dataclass(frozen=True)
class BatchLine:
    """One line of a --batch file: its object, or why it cannot be used."""

    number: int
    item: dict[str, Any] | None
    error: str | None = None


def batch_lines(raw_lines: Iterable[bytes]) -> Iterator[BatchLine]:
    """Each non-blank line of a JSONL batch file, decoded and parsed on its own, so one bad line
    (not UTF-8, not JSON, no "question") is reported by number and the rest are still answered."""
    for number, raw in enumerate(raw_lines, start=1):
        try:
            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            yield BatchLine(number, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})")
            continue
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError as exc:
            yield BatchLine(number, None, f"not JSON ({exc})")
            continue
        if not isinstance(item, dict) or not isinstance(item.get("question"), str):
            yield BatchLine(number, None, 'each line needs an object with a "question" string')
            continue
        yield BatchLine(number, item)
