"""Where the tests find the project's files: the repository root, the shipped seed reports and the
evaluation folder. Imported by test modules that need a path at collection time (parametrize)."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_REPORT = SEEDS / "jinghu-2024-fazhi.txt"
EVAL_DIR = ROOT / "eval"
