"""The REST API against a real `reportqa serve`: answers, errors, and an index rebuilt under it.

The index holds two seed reports; the swap test removes one with the CLI while clients keep
asking, and puts it back.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from paths import SEEDS
from served import run_cli, served
from web_server import CHROMIUM, CHROMIUM_ARGS

JINGHU = SEEDS / "jinghu-2024-fazhi.txt"
HUAIAN = SEEDS / "huaian-2024-xxgk-nianbao.txt"
QUESTION = "2024年镜湖区全区新收行政复议案件多少件？"
HUAIAN_QUESTION = "淮安市2024年主动公开政府信息多少条？"


@pytest.fixture(scope="module")
def server(index_dir: Path, cli_answer: subprocess.Popen[str]) -> Iterator[str]:
    # --admin: the 报告管理 page is driven at the end of this module, on the same server.
    with served("--index-dir", str(index_dir), "--admin", "--max-upload-mb", "0.1") as running:
        yield running.url


@pytest.fixture(scope="module")
def http(server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server, timeout=60) as client:
        yield client


def _ask(http: httpx.Client, **body: Any) -> httpx.Response:
    return http.post("/api/ask", json=body)


def _wait_for_generation(
    http: httpx.Client, not_this: str, timeout_s: float = 90
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        health = http.get("/api/health").json()
        if health["generation"] != not_this:
            return health
        time.sleep(0.3)
    raise AssertionError(f"the server kept generation {not_this}")


def test_ask_returns_what_the_cli_prints(
    http: httpx.Client, cli_answer: subprocess.Popen[str]
) -> None:
    response = _ask(http, question=QUESTION)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    got = response.json()
    out, err = cli_answer.communicate(timeout=120)
    assert cli_answer.returncode == 0, err
    expected = json.loads(out)
    assert "120件" in got["answer"]
    got.pop("timings_ms"), expected.pop("timings_ms")
    assert got == expected


def test_ask_limited_to_a_report_and_top_k(http: httpx.Client) -> None:
    got = _ask(http, question=QUESTION, reports=["huaian-2024-xxgk-nianbao"], top_k=2).json()
    assert "120件" not in got["answer"]
    assert len(got["citations"]) <= 2
    assert all(c["report"] == "huaian-2024-xxgk-nianbao" for c in got["citations"])


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"question": ""}, "问题为空"),
        ({"question": "   "}, "问题为空"),
        ({"question": "问" * 2001}, "问题过长"),
        ({"question": 5}, "question"),
        ({"question": None}, "question"),
        ({}, "question"),
        ({"question": QUESTION, "reports": [1]}, "reports"),
        ({"question": QUESTION, "reports": "jinghu-2024-fazhi"}, "reports"),
        ({"question": QUESTION, "reports": ["no-such-report"]}, "no-such-report"),
        ({"question": QUESTION, "top_k": 0}, "top_k"),
        ({"question": QUESTION, "top_k": -3}, "top_k"),
        ({"question": QUESTION, "top_k": "5"}, "top_k"),
        ({"question": QUESTION, "top_k": 10_000}, "top_k"),
        ({"question": QUESTION, "mode": "x"}, "mode"),
        ([QUESTION], "body"),
    ],
)
def test_bad_input_is_a_400_with_a_json_message(http: httpx.Client, body: Any, says: str) -> None:
    response = http.post("/api/ask", json=body)
    assert response.status_code == 400, response.text
    data = response.json()
    assert data["error"] == "bad_request"
    assert says in data["message"]


def test_malformed_json_is_a_400(http: httpx.Client) -> None:
    response = http.post(
        "/api/ask", content=b'{"question": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"


def test_reports_health_and_schema(http: httpx.Client) -> None:
    reports = http.get("/api/reports").json()
    assert [r["id"] for r in reports["reports"]] == [
        "huaian-2024-xxgk-nianbao",
        "jinghu-2024-fazhi",
    ]
    assert reports["reports"][1]["title"].startswith("镜湖区人民政府")
    health = http.get("/api/health").json()
    assert health["status"] == "ok" and health["reports"] == 2
    assert health["generation"] == reports["generation"] and len(health["generation"]) == 12
    schema = http.get("/api/openapi.json").json()
    assert {"/api/ask", "/api/reports", "/api/health"} <= set(schema["paths"])
    ask = schema["paths"]["/api/ask"]["post"]
    assert {"200", "400", "503"} <= set(ask["responses"])


def test_a_rebuilt_index_is_swapped_in_without_dropping_requests(
    http: httpx.Client, server: str, index_dir: Path
) -> None:
    before = http.get("/api/health").json()
    assert "huaian" in json.dumps(_ask(http, question=HUAIAN_QUESTION).json()["citations"])

    # Clients keep asking through both swaps; every request must succeed.
    stop = threading.Event()
    failures: list[str] = []
    answered = [0]

    def client() -> None:
        with httpx.Client(base_url=server, timeout=60) as own:
            while not stop.is_set():
                response = own.post("/api/ask", json={"question": QUESTION})
                if response.status_code != 200 or "120件" not in response.json()["answer"]:
                    failures.append(f"{response.status_code} {response.text[:200]}")
                answered[0] += 1

    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    try:
        removed = run_cli("remove", "huaian-2024-xxgk-nianbao", "--index-dir", str(index_dir))
        assert removed.returncode == 0, removed.stderr
        after_remove = _wait_for_generation(http, before["generation"])
        assert after_remove["reports"] == 1 and after_remove["swaps"] == before["swaps"] + 1
        gone = _ask(http, question=HUAIAN_QUESTION).json()
        assert "huaian" not in json.dumps(gone["citations"], ensure_ascii=False)
        limited = _ask(http, question=QUESTION, reports=["huaian-2024-xxgk-nianbao"])
        assert limited.status_code == 400
        assert [r["id"] for r in http.get("/api/reports").json()["reports"]] == [
            "jinghu-2024-fazhi"
        ]

        added = run_cli("index", str(JINGHU), str(HUAIAN), "--index-dir", str(index_dir))
        assert added.returncode == 0, added.stderr
        after_add = _wait_for_generation(http, after_remove["generation"])
        assert after_add["reports"] == 2
        back = _ask(http, question=HUAIAN_QUESTION).json()
        assert "huaian-2024-xxgk-nianbao" in {c["report"] for c in back["citations"]}
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert failures == []
    assert answered[0] >= 8


def test_no_index_is_a_503_until_one_appears(tmp_path: Path, seed_index: Path) -> None:
    """The API on a live index whose folder is still empty, served by a real uvicorn server."""
    import shutil

    import uvicorn
    from fastapi import FastAPI
    from ui.api import add_api

    from reportqa.indexing.live import LiveIndex, engine_loader
    from served import free_port

    index_dir = tmp_path / "index"
    live = LiveIndex(index_dir, engine_loader(), warm_up=False)
    app = FastAPI()
    add_api(app, live)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            deadline = time.monotonic() + 30
            while not server.started and time.monotonic() < deadline:
                time.sleep(0.05)
            health = http.get("/api/health")
            assert health.status_code == 503 and health.json()["status"] == "no_index"
            asked = http.post("/api/ask", json={"question": QUESTION})
            assert asked.status_code == 503
            assert (
                asked.json()["error"] == "no_index" and "reportqa index" in asked.json()["message"]
            )
            assert http.get("/api/reports").status_code == 503

            shutil.copytree(seed_index, index_dir)
            assert live.refresh()
            assert http.get("/api/health").json()["status"] == "ok"
            answer = http.post("/api/ask", json={"question": QUESTION}).json()
            assert "120件" in answer["answer"]
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")
def test_manage_reports_in_the_browser(server: str, index_dir: Path, tmp_path: Path) -> None:
    """Remove a report, upload it again with a file over the size limit, re-index; the API keeps
    answering throughout and the chat page follows."""
    from playwright.sync_api import expect, sync_playwright

    big = tmp_path / "big-report.txt"
    big.write_text("报告" * 60_000, encoding="utf-8")  # over the 0.1 MB limit
    uploads = index_dir.parent / "index-uploads"
    stop = threading.Event()
    failures: list[str] = []

    def keep_asking() -> None:
        with httpx.Client(base_url=server, timeout=60) as own:
            while not stop.is_set():
                response = own.post("/api/ask", json={"question": QUESTION})
                if response.status_code != 200 or "120件" not in response.json()["answer"]:
                    failures.append(response.text[:200])

    asker = threading.Thread(target=keep_asking)
    asker.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(server + "/admin")
            table = page.locator("#rqa-admin-table")
            log = page.locator("#rqa-admin-log")
            expect(table).to_contain_text("huaian-2024-xxgk-nianbao", timeout=30_000)
            expect(table).to_contain_text("镜湖区")
            chat = browser.new_page()
            chat.goto(server + "/")
            loaded = chat.locator("#rqa-loaded")
            expect(loaded).to_contain_text("已加载 2 份报告", timeout=30_000)

            page.locator("#rqa-admin-remove input").click()
            page.get_by_role("option", name="淮安市人民政府2024年政府信息公开工作年度报告").click()
            page.locator("#rqa-admin-remove-btn").click()
            expect(log).to_contain_text("已删除 huaian-2024-xxgk-nianbao", timeout=60_000)
            expect(table).not_to_contain_text("huaian-2024-xxgk-nianbao", timeout=30_000)
            expect(loaded).to_contain_text("已加载 1 份报告", timeout=30_000)

            page.locator("#rqa-admin-files input[type=file]").set_input_files(
                [str(HUAIAN), str(big)]
            )
            page.locator("#rqa-admin-upload").click()
            expect(log).to_contain_text("完成", timeout=90_000)
            expect(log).to_contain_text("huaian-2024-xxgk-nianbao.txt：已读取")
            expect(log).to_contain_text("big-report.txt：文件过大")
            expect(table).to_contain_text("huaian-2024-xxgk-nianbao", timeout=30_000)
            assert (uploads / HUAIAN.name).read_bytes() == HUAIAN.read_bytes()
            assert not (uploads / big.name).exists()
            with httpx.Client(base_url=server) as http:
                ids = [r["id"] for r in http.get("/api/reports").json()["reports"]]
            assert ids == ["huaian-2024-xxgk-nianbao", "jinghu-2024-fazhi"]
            expect(loaded).to_contain_text("已加载 2 份报告", timeout=30_000)

            page.locator("#rqa-admin-reindex").click()
            expect(log).to_contain_text("已重新索引全部报告", timeout=90_000)
            browser.close()
    finally:
        stop.set()
        asker.join(timeout=60)
    assert failures == []
