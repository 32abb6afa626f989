"""The served web chat, end to end: `reportqa serve` in a subprocess, driven by gradio_client and
by Playwright in Debian's Chromium.

The index holds two seed reports (the seed report and a short second one) so that the report
selector is shown and the build stays quick.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from paths import ROOT
from served import reportqa_command, served
from web_server import CHROMIUM, CHROMIUM_ARGS

QUESTION = "2024年镜湖区全区新收行政复议案件多少件？"
# The README's screenshot is refreshed on request only, so a test run leaves the tree unchanged.
SCREENSHOT = (
    ROOT / "docs" / "screenshot.png"
    if os.environ.get("REPORTQA_UPDATE_SCREENSHOT")
    else Path(tempfile.gettempdir()) / "reportqa-chat-screenshot.png"
)
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="needs Debian's chromium (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def server(index_dir: Path, cli_answer: subprocess.Popen[str]) -> Iterator[str]:
    """The URL of a `reportqa serve` process, once it says it is ready."""
    with served("--index-dir", str(index_dir), ready_s=90) as running:
        yield running.url + "/"


@pytest.fixture(scope="module")
def client(server: str) -> Any:
    from gradio_client import Client

    return Client(server, verbose=False, download_files=False, analytics_enabled=False)


def test_serve_without_index_is_a_clear_message(tmp_path: Path) -> None:
    result = subprocess.run(
        [reportqa_command(), "serve", "--index-dir", str(tmp_path / "none")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "No index at" in result.stderr and "reportqa index" in result.stderr
    assert "Traceback" not in result.stderr


def test_api_ask_returns_the_cli_json(client: Any, cli_answer: subprocess.Popen[str]) -> None:
    got = client.predict(QUESTION, None, api_name="/ask")
    out, err = cli_answer.communicate(timeout=60)
    assert cli_answer.returncode == 0, err
    expected = json.loads(out)
    assert "120件" in got["answer"]
    assert set(got) == set(expected)
    got.pop("timings_ms"), expected.pop("timings_ms")
    assert got == expected


def test_api_ask_limits_the_search_to_chosen_reports(client: Any) -> None:
    got = client.predict(QUESTION, ["huaian-2024-xxgk-nianbao"], api_name="/ask")
    assert "120件" not in got["answer"]
    assert all(c["report"] == "huaian-2024-xxgk-nianbao" for c in got["citations"])


def test_api_ask_error_is_a_message(client: Any) -> None:
    with pytest.raises(Exception, match="问题为空"):
        client.predict("  ", None, api_name="/ask")


def test_twenty_concurrent_requests_complete(client: Any) -> None:
    questions = [
        QUESTION,
        "码上知是什么？",
        "淮安市2024年主动公开政府信息多少条？",
        "2023年全区新收行政复议案件多少件？",
    ]
    jobs = [client.submit(questions[i % 4], None, api_name="/ask") for i in range(20)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(lambda job: job.result(timeout=60), jobs))
    assert len(results) == 20
    for i, result in enumerate(results):
        assert result["question"] == questions[i % 4]
        assert result["answer"]
    assert "120件" in results[0]["answer"]


def _browser(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def _ask(page: Any, question: str) -> None:
    box = page.locator("#rqa-question textarea")
    box.fill(question)
    box.press("Enter")


@pytest.mark.browser
@needs_chromium
def test_browser_answer_citation_and_screenshot(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_page(viewport={"width": 1280, "height": 860})
        page.goto(server)
        expect(page.locator("#rqa-reports")).to_be_visible(timeout=30_000)
        _ask(page, QUESTION)
        answer = page.locator("#rqa-chat .rqa-answer").last
        expect(answer).to_contain_text("120件", timeout=30_000)
        expect(answer).to_contain_text("[1]")

        answer.locator("a.rqa-cite").first.click()
        source = page.locator("#rqa-src-1-1")
        expect(source).to_have_class("rqa-src rqa-flash")
        mark = source.locator("blockquote mark").first
        expect(mark).to_be_visible()
        expect(mark).to_contain_text("120件")
        expect(mark).to_be_in_viewport()
        assert len(browser.contexts[0].pages) == 1  # the marker did not open a new tab

        source.locator("details summary").click()
        expect(source.locator(".rqa-section-text mark").first).to_be_visible()

        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT))
        browser.close()
    assert SCREENSHOT.stat().st_size < 300_000


@pytest.mark.browser
@needs_chromium
def test_browser_escapes_html_follows_up_and_reports_errors(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = _browser(p)
        page = browser.new_page()
        dialogs: list[str] = []

        def on_dialog(dialog: Any) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(server)

        page.locator("#rqa-ask").click()  # nothing typed: a note under the box, no empty turn
        expect(page.locator("#rqa-status .rqa-problem")).to_contain_text("问题为空", timeout=30_000)
        assert page.locator("#rqa-chat .rqa-question").count() == 0

        hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>镜湖区的"
        _ask(page, hostile)
        expect(page.locator("#rqa-chat .rqa-question").last).to_have_text(hostile, timeout=30_000)
        expect(page.locator("#rqa-chat .rqa-refusal").last).to_be_visible(timeout=30_000)
        assert page.locator("#rqa-chat img[src=x]").count() == 0

        _ask(page, QUESTION)
        answer = page.locator("#rqa-chat .rqa-answer").last
        expect(answer).to_contain_text("120件", timeout=30_000)
        # the follow-up is read against the finished turn: wait for the stream's last clause
        expect(answer).to_contain_text("[1]。", timeout=30_000)
        _ask(page, "那2023年呢？")
        refusal = page.locator("#rqa-chat .rqa-refusal").last
        expect(refusal).to_contain_text("2023年镜湖区全区新收行政复议案件", timeout=30_000)
        expect(refusal).to_contain_text("报告中没有答案")
        assert dialogs == []
        browser.close()
