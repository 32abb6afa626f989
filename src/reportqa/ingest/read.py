"""Read report files into text. Offsets everywhere index into the text returned here."""

from __future__ import annotations

import codecs
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reportqa.errors import InputError
from reportqa.ingest.formats import read_docx, read_pdf

TEXT_SUFFIXES = (".txt", ".md")
SUPPORTED_SUFFIXES = (*TEXT_SUFFIXES, ".docx", ".pdf")
SIDECAR_SUFFIX = ".meta.json"


@dataclass(frozen=True)
class SourceReport:
    """A report as read from disk: its id (the file stem), decoded text and checksum."""

    id: str
    path: Path
    text: str
    sha256: str
    sidecar: dict[str, Any] = field(default_factory=dict)
    # Character offset at which each page starts, for paged formats; empty for plain text.
    page_starts: list[int] = field(default_factory=list)


def decode_bytes(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with its BOM, else GB18030 (a superset of GBK and
    GB2312)."""
    # Windows' "Unicode" text is UTF-16 with a BOM: full of NUL bytes, but text all the same.
    # (UTF-32's little-endian BOM begins like UTF-16's, so it is tested first.)
    wide = (
        "utf-32"
        if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE))
        else "utf-16"
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        else None
    )
    if wide:
        try:
            text = data.decode(wide)
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{name}: starts as {wide.upper()} text but cannot be decoded ({exc})."
            ) from exc
        # Two bytes FF FE also start many binary files: what they decode to must read as text.
        if _mostly_text(text):
            return text
        raise InputError(f"{name}: starts like {wide.upper()} text but does not decode to text.")
    if b"\x00" in data[:4096]:
        raise InputError(f"{name}: looks like a binary file, not text; cannot index it.")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(
        f"{name}: cannot decode the text (tried UTF-8 and GB18030/GBK). "
        "Save the file as UTF-8 and index it again."
    )


_TEXT_CHAR = re.compile(r"[\t\n\r -~\u00a0-\u024f\u2000-\u206f\u3000-\u9fff\uff00-\uffef]")


def _mostly_text(text: str, sample: int = 4096) -> bool:
    """Most characters are Latin, CJK, or their punctuation (as in any report)."""
    head = text[:sample]
    return bool(head) and len(_TEXT_CHAR.findall(head)) >= 0.8 * len(head)


def read_sidecar(path: Path) -> dict[str, Any]:
    """Metadata written by a person next to the report (`name.meta.json`), overriding detection."""
    sidecar = path.with_name(path.stem + SIDECAR_SUFFIX)
    if not sidecar.exists():
        return {}
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{sidecar}: not a readable JSON object ({exc}).") from exc
    if not isinstance(data, dict):
        raise InputError(f"{sidecar}: must hold a JSON object.")
    problem = sidecar_problem(data)
    if problem:
        raise InputError(f"{sidecar}: {problem}")
    return data


def _is_text_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _is_year_list(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    )


# What each sidecar key must hold; the answer step relies on these types for every question.
_SIDECAR_FIELDS = {
    "title": (lambda v: isinstance(v, str), 'a string, e.g. "…人民政府关于2024年…的报告"'),
    "places": (_is_text_list, 'a list of strings, e.g. ["芜湖市", "镜湖区"]'),
    "place": (lambda v: isinstance(v, str), 'a string, e.g. "镜湖区"'),
    "years": (_is_year_list, "a list of whole numbers, e.g. [2024]"),
    "kind": (lambda v: isinstance(v, str), "a string"),
    "issuer": (lambda v: isinstance(v, str), "a string"),
    "source": (lambda v: isinstance(v, str), "a string"),
}


def sidecar_problem(data: dict[str, Any]) -> str | None:
    """What is wrong with a sidecar's fields (the first problem, naming the field), or None."""
    for key, (valid, expected) in _SIDECAR_FIELDS.items():
        if key in data and not valid(data[key]):
            shown = json.dumps(data[key], ensure_ascii=False)[:80]
            return f'the field "{key}" must be {expected}, not {shown}.'
    return None


def read_report(path: Path) -> SourceReport:
    if not path.exists():
        raise InputError(f"{path}: no such file.")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(
            f"{path}: unsupported file type {suffix or '(none)'}; "
            f"reportqa reads {', '.join(SUPPORTED_SUFFIXES)}."
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file ({exc.strerror}).") from exc
    page_starts: list[int] = []
    if suffix == ".pdf":
        paged = read_pdf(path)
        text, page_starts = paged.text, paged.page_starts
    elif suffix == ".docx":
        text = read_docx(path)
    else:
        text = decode_bytes(data, str(path))
    if not text.strip():
        raise InputError(f"{path}: the file holds no text.")
    return SourceReport(
        id=path.stem,
        path=path,
        text=text,
        # Of the file's bytes: any change to the file re-indexes it.
        sha256=hashlib.sha256(data).hexdigest(),
        sidecar=read_sidecar(path),
        page_starts=page_starts,
    )


def find_report_files(paths: list[Path]) -> list[Path]:
    """Expand folders into their supported files (sorted); files are taken as given."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file()
                    and p.suffix.lower() in SUPPORTED_SUFFIXES
                    # Hidden files and Word's lock files ("~$report.docx") are not reports.
                    and not p.name.startswith((".", "~$"))
                )
            )
        elif path.exists():
            found.append(path)
        else:
            raise InputError(f"{path}: no such file or folder.")
    return found


# A text is judged only when it has this many letters: a few words tell nothing.
_MIN_LETTERS_TO_JUDGE = 50
# Reports are Chinese prose: Chinese characters are nearly all their letters (over 99% in every
# shipped and evaluation report); a provenance note or a README is mostly Latin letters (the
# evaluation folder's SOURCES.md: 8%).
_MIN_CHINESE_SHARE = 0.5
_CHINESE = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


# Its opening tells: judging a whole 10,000-report folder must stay cheap.
_JUDGED_CHARS = 5000


def not_a_report(text: str) -> str | None:
    """Why a text is not a report (it is not Chinese prose), or None when it may be one."""
    opening = text[:_JUDGED_CHARS]
    chinese = len(_CHINESE.findall(opening))
    letters = chinese + len(_LATIN.findall(opening))
    if letters < _MIN_LETTERS_TO_JUDGE or chinese >= _MIN_CHINESE_SHARE * letters:
        return None
    return f"only {chinese / letters:.0%} of its letters are Chinese characters"


def _peek_text(path: Path) -> str | None:
    """A text file's text, or None when it cannot be read (the reader then says why)."""
    try:
        return decode_bytes(path.read_bytes(), str(path))
    except (OSError, InputError):
        return None


def select_report_files(paths: list[Path]) -> tuple[list[Path], list[str]]:
    """The files to index, and a note for each file left out or taken with doubt.

    A folder is expanded as `find_report_files` does, without the text files in it that are not
    reports (a README, a SOURCES.md beside the reports): each is left out with a note. A file
    named by itself is always taken, with a note if it does not look like a report.
    """
    chosen: list[Path] = []
    notes: list[str] = []
    for path in paths:
        from_folder = path.is_dir()
        for found in find_report_files([path]):
            text = _peek_text(found) if found.suffix.lower() in TEXT_SUFFIXES else None
            reason = not_a_report(text) if text is not None else None
            if reason and from_folder:
                notes.append(
                    f"Left out {found}: not a report ({reason}). Name the file to index it anyway."
                )
                continue
            if reason:
                notes.append(f"{found} does not look like a report ({reason}); indexed as named.")
            chosen.append(found)
    return chosen, notes


def read_reports(paths: list[Path]) -> tuple[list[SourceReport], list[InputError]]:
    """Read every file that can be read; the others come back as errors naming them, so one
    broken file does not stop the rest from being indexed."""
    reports: list[SourceReport] = []
    failures: list[InputError] = []
    for path in paths:
        try:
            reports.append(read_report(path))
        except InputError as exc:
            failures.append(exc)
    return reports, failures
