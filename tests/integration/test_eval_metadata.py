"""The metadata detected for each of the 107 evaluation reports, against a recorded copy.

Detected places, years, kinds and issuers route questions and decide whether an index is up to
date, so a change must be deliberate: when detection is improved on purpose, write the file again
(`python tests/integration/test_eval_metadata.py --write`) and review its diff.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = ROOT / "tests" / "data" / "eval_report_meta.json"
# The folders `make eval` builds index-eval from.
REPORT_FOLDERS = [
    ROOT / "seeds",
    ROOT / "eval/reports/provinces-2026",
    ROOT / "eval/reports/cities-docx",
]


def detected() -> dict[str, dict[str, Any]]:
    from reportqa.indexing.build import report_meta
    from reportqa.ingest.read import find_report_files, read_report

    return {
        path.stem: report_meta(read_report(path)).to_dict()
        for path in find_report_files(REPORT_FOLDERS)
    }


def test_detected_metadata_of_the_evaluation_reports_is_unchanged() -> None:
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    found = detected()
    assert len(found) == 107
    changed = {
        rid: (expected.get(rid), meta) for rid, meta in found.items() if expected.get(rid) != meta
    }
    assert not changed, json.dumps(changed, ensure_ascii=False, indent=1)[:4000]


if __name__ == "__main__" and sys.argv[1:] == ["--write"]:
    EXPECTED.write_text(
        json.dumps(detected(), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
        encoding="utf-8",
    )
