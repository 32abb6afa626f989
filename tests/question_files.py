"""What the question-set checks share: the schema's vocabulary, reading a JSON-lines split, and the
corpus reports in eval/reports/ as reportqa reads them."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from paths import EVAL_DIR
from reportqa.ingest.read import read_report

CORPUS_DIR = EVAL_DIR / "reports"
UNANSWERABLE = "文中未提及"
TYPES = {"number", "fact", "paraphrase", "list", "multi_hop", "unanswerable", "chitchat"}
TRAPS = {"year", "place", "subject", "plan_vs_result", "scope"}


def load(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def corpus_report_path(name: str) -> Path:
    """A corpus report by its file name: Word files are the cities', text files the provinces'."""
    folder = "cities-docx" if name.endswith(".docx") else "provinces-2026"
    return CORPUS_DIR / folder / name


@cache
def corpus_report_text(name: str) -> str:
    return read_report(corpus_report_path(name)).text
