"""Two small question files (dev and test splits) about the seed report, for the evaluation
tests: written into a temporary folder by the `eval_dir` fixture in conftest.py."""

from __future__ import annotations

import json
from pathlib import Path

from paths import SEED_REPORT as SEED

DEV = [
    {
        "id": "d-number",
        "question": "2024年通过创优营商环境平台办结了多少件问题？",
        "answer": "612件",
        "must_contain": ["612件"],
        "gold_spans": ["2024年通过创优营商环境平台办结各类问题共计612件"],
        "type": "number",
        "report": SEED.name,
    },
    {
        "id": "d-year",
        "question": "镜湖区2023年通过创优营商环境平台办结了多少件问题？",
        "answer": "文中未提及",
        "must_contain": [],
        "gold_spans": [],
        "type": "unanswerable",
        "report": SEED.name,
        "trap": "year",
    },
    {
        "id": "d-chat",
        "question": "帮我写一首关于春天的诗",
        "answer": "（礼貌拒答）",
        "must_contain": [],
        "gold_spans": [],
        "type": "chitchat",
        "report": None,
    },
    {
        "id": "d-elsewhere",
        "question": "2025年上海市全市生产总值是多少？",
        "answer": "5.67万亿元",
        "must_contain": ["5.67万亿元"],
        "gold_spans": ["全市生产总值达到5.67万亿元、增长5.4%，好于预期"],
        "type": "number",
        "report": "2026_上海市_政府工作报告.txt",
    },
]
TEST = [
    {
        "id": "t-fact",
        "question": "镜湖区打造的党员干部教育培训品牌叫什么？",
        "answer": "“周末课堂”",
        "must_contain": ["周末课堂"],
        "gold_spans": ["深化“周末课堂”党员干部教育培训品牌打造"],
        "type": "fact",
        "report": SEED.name,
    }
]


def write_jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path
