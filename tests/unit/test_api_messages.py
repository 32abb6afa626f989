"""What the REST API tells a client when answering fails in an unexpected way: a JSON message in
Chinese (the English after it), never a traceback. The engine is a stand-in that fails."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from ui.api import add_api


class _Failing:
    """An engine whose answer step breaks with an error no layer expects."""

    def ask(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")


class _Live:
    engine = _Failing()


def test_an_unexpected_failure_is_a_500_in_chinese() -> None:
    app = FastAPI()
    add_api(app, _Live())  # type: ignore[arg-type]
    response = TestClient(app).post("/api/ask", json={"question": "2024年新收多少件？"})
    assert response.status_code == 500
    data = response.json()
    assert data["error"] == "internal"
    assert (
        data["message"].startswith("内部错误，未能回答这个问题") and "boom" not in data["message"]
    )
