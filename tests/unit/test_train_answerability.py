"""The training script's fitting (bench/train_answerability.py): the same rows give the same
weights file, byte for byte, and a check's failure is never rewarded."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import numpy as np

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "train_answerability.py"


def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("train_answerability", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def rows(train: ModuleType, seed: int) -> list:
    """Questions of four candidates each: the label follows coverage; failed_year is set on the
    right candidates more often, an artefact the sign rule must not learn."""
    rng = np.random.default_rng(seed)
    features = list(train.FEATURES)
    items = []
    for q in range(80):
        x = rng.random((4, len(features)))
        y = (x[:, features.index("coverage")] > 0.6).astype(int)
        x[:, features.index("failed_year")] = np.where(y == 1, 1.0, rng.random(4) < 0.2)
        items.append(train.Asked("generated", f"r{q % 8}", bool(y.any()), x, y, True))
    return items


def test_the_same_rows_give_the_same_weights_file() -> None:
    train = script()
    first = train.weights_json(rows(train, 0), 1.0, 1.0, "checks", 0.3, "test")
    assert first == train.weights_json(rows(train, 0), 1.0, 1.0, "checks", 0.3, "test")
    assert first != train.weights_json(rows(train, 1), 1.0, 1.0, "checks", 0.3, "test")
    data = json.loads(first)
    assert data["features"] == list(train.FEATURES) and data["threshold"] == 0.3


def test_a_failed_check_is_never_rewarded() -> None:
    train = script()
    features = list(train.FEATURES)
    free = json.loads(train.weights_json(rows(train, 0), 1.0, 1.0, "none", 0.3, "test"))
    held = json.loads(train.weights_json(rows(train, 0), 1.0, 1.0, "checks", 0.3, "test"))
    year = features.index("failed_year")
    assert free["coef"][year] > 0  # what the rows would teach
    assert held["coef"][year] == 0.0
    assert held["coef"][features.index("coverage")] > 0
