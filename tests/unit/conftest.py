"""Unit tests are pure logic: no model, no index on disk, no process, no server. Each of those
raises here with a message that says where such a test belongs, so the folder keeps its meaning
and `make check` stays fast."""

from __future__ import annotations

import socket
import subprocess
from typing import Any

import pytest

ELSEWHERE = "belongs in tests/integration (model, index, CLI) or tests/e2e (served app, browser)"


def _refuse(what: str) -> Any:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"a unit test {what}: it {ELSEWHERE}")

    return refuse


@pytest.fixture(autouse=True)
def _pure_logic_only(monkeypatch: pytest.MonkeyPatch) -> None:
    from reportqa.engine import Engine
    from reportqa.indexing.embed import SentenceTransformerEmbedder, UseEmbedder
    from reportqa.indexing.index_writer import IndexWriter

    monkeypatch.setattr(UseEmbedder, "__init__", _refuse("loads the embedder"))
    monkeypatch.setattr(SentenceTransformerEmbedder, "__init__", _refuse("loads a model"))
    monkeypatch.setattr(Engine, "__init__", _refuse("opens an index"))
    monkeypatch.setattr(IndexWriter, "__init__", _refuse("writes an index"))
    monkeypatch.setattr(subprocess.Popen, "__init__", _refuse("starts a process"))
    monkeypatch.setattr(socket.socket, "bind", _refuse("listens on a port"))
