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
# The corpus reports the development set is written on: a held-out question never uses them.
DEV_CORPUS = (
    {
        "2026_上海市_政府工作报告.txt",
        "2026_四川省_政府工作报告.txt",
        "2026_广东省_政府工作报告.txt",
        "2026_湖南省_政府工作报告.txt",
        "南京.docx",
        "合肥.docx",
        "温州.docx",
        "遵义.docx",
    }
    | {
        # written later, before any rule was changed for them
        *(
            f"2026_{p}_政府工作报告.txt"
            for p in ("云南省", "宁夏回族自治区", "山西省", "广西壮族自治区")
        ),
        *(f"2026_{p}_政府工作报告.txt" for p in ("新疆维吾尔自治区", "江西省", "浙江省")),
        *(
            f"{c}.docx"
            for c in ("东营", "临沂", "乌鲁木齐", "亳州", "六盘水", "凉山", "北海", "南宁")
        ),
        *(f"{c}.docx" for c in ("吉林", "咸宁", "嘉兴", "天门", "孝感")),
    }
    | {
        # a third round, written before any rule was changed for them
        *(f"2026_{p}_政府工作报告.txt" for p in ("贵州省", "辽宁省", "重庆市")),
        *(f"{c}.docx" for c in ("抚州", "无锡", "晋城", "桂林", "永州", "泰安", "泸州")),
        *(f"{c}.docx" for c in ("济宁", "淮北", "淮安", "滁州", "潍坊", "烟台", "玉林")),
    }
    | {
        # a fourth round, written before any rule was changed for them
        *(f"{c}.docx" for c in ("百色", "盐城", "绍兴", "聊城", "荆州", "菏泽", "贵港")),
        *(f"{c}.docx" for c in ("贺州", "连云港", "金华", "铜仁", "银川", "镇江", "长治")),
        *(f"{c}.docx" for c in ("防城港", "阿坝", "雅安", "马鞍山", "黔东南", "黔西南")),
    }
)


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
