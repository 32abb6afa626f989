"""Readers' 👍/👎 on answers, kept in a local JSONL file so that complaints can become eval questions.

Each vote or comment appends one line; a later line for the same answer (same `id`) replaces the
earlier one when the file is read back, so changing a vote or adding a comment never rewrites the
file. Nothing leaves the machine.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from reportqa.errors import InputError

FEEDBACK_ENV = "REPORTQA_FEEDBACK"
FEEDBACK_FILE = "feedback.jsonl"
RATINGS = ("up", "down")
MAX_COMMENT_CHARS = 2000


def default_feedback_path(index_dir: Path) -> Path:
    """$REPORTQA_FEEDBACK, else feedback.jsonl beside the index folder (not inside it: a rebuild
    swaps the index folder whole)."""
    configured = os.environ.get(FEEDBACK_ENV)
    return Path(configured) if configured else Path(index_dir).resolve().parent / FEEDBACK_FILE


def feedback_record(
    answer_id: str,
    rating: str,
    answer: Mapping[str, Any],
    comment: str = "",
    now: datetime | None = None,
) -> dict[str, Any]:
    """One line of the file: the vote and what was voted on (question as asked and as understood,
    the answer, and where its citations point)."""
    if rating not in RATINGS:
        raise ValueError(f"rating must be one of {RATINGS}, not {rating!r}")
    citations = [
        {key: c.get(key) for key in ("n", "report", "start", "end", "page")}
        for c in answer.get("citations") or []
    ]
    return {
        "id": answer_id,
        "time": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "rating": rating,
        "comment": comment.strip()[:MAX_COMMENT_CHARS],
        "question": str(answer.get("asked") or answer.get("question") or ""),
        "understood_as": str(answer.get("question") or ""),
        "answer": str(answer.get("answer") or ""),
        "refused": bool(answer.get("refused")),
        "citations": citations,
    }


def merge(records: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The latest record of each answer, in the order the answers were first voted on."""
    latest: dict[str, dict[str, Any]] = {}
    for record in records:
        latest[str(record.get("id"))] = dict(record)
    return list(latest.values())


class FeedbackStore:
    """Appends records to one JSONL file; safe for the server's threads."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()

    def add(self, record: Mapping[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line)

    def raw(self) -> list[dict[str, Any]]:
        """Every line that parses; a line cut short by a crash is skipped, not fatal. A file that
        cannot be read as text at all (not UTF-8, a folder, no permission) is an InputError."""
        if not self.path.exists():
            return []
        try:
            text = self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"Cannot read the feedback file {self.path}: {exc}") from exc
        out = []
        for line in text.splitlines():
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict):
                out.append(record)
        return out

    def records(self) -> list[dict[str, Any]]:
        return merge(self.raw())


def as_eval_question(record: Mapping[str, Any]) -> dict[str, Any]:
    """A feedback record as a line for eval/dev.jsonl, to be completed by a maintainer
    (`must_contain` and `gold_spans` are left empty: the reader's vote says what was wrong, not
    what is right)."""
    return {
        "id": f"fb-{record.get('id')}",
        "question": record.get("understood_as") or record.get("question"),
        "answer": "",
        "must_contain": [],
        "gold_spans": [],
        "type": "feedback",
        "feedback": {
            "rating": record.get("rating"),
            "comment": record.get("comment", ""),
            "asked": record.get("question"),
            "answer_given": record.get("answer"),
            "refused": record.get("refused"),
        },
    }
