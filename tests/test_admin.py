"""报告管理: who may use it, where uploads go, and the page itself in Chromium against a real server
(upload several files with per-file errors, remove, re-index; the API keeps answering meanwhile)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from reportqa.admin_access import (
    UPLOADS_MARKER,
    AdminRefused,
    admin_access,
    is_loopback,
    uploads_dir_for,
)
from served import run_cli, served

ROOT = Path(__file__).resolve().parents[1]
JINGHU = ROOT / "seeds" / "jinghu-2024-fazhi.txt"
HUAIAN = ROOT / "seeds" / "huaian-2024-xxgk-nianbao.txt"
QUESTION = "2024年镜湖区全区新收行政复议案件多少件？"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.mark.parametrize(
    ("host", "admin", "token", "expected"),
    [
        ("127.0.0.1", False, None, (False, None)),
        ("127.0.0.1", True, None, (True, None)),
        ("localhost", True, None, (True, None)),
        ("::1", True, None, (True, None)),
        ("127.0.0.1", False, "s3cret-token", (True, "s3cret-token")),
        ("0.0.0.0", True, "s3cret-token", (True, "s3cret-token")),
        ("0.0.0.0", False, None, (False, None)),
        ("0.0.0.0", False, "  ", (False, None)),
    ],
)
def test_who_may_manage_reports(
    host: str, admin: bool, token: str | None, expected: tuple[bool, str | None]
) -> None:
    assert admin_access(host, admin, token) == expected


@pytest.mark.parametrize(
    ("host", "token"),
    [("0.0.0.0", None), ("192.168.1.5", None), ("::", None), ("0.0.0.0", "short")],
)
def test_admin_is_refused_on_open_hosts_without_a_real_token(host: str, token: str | None) -> None:
    with pytest.raises(AdminRefused):
        admin_access(host, True, token)


def test_loopback_names() -> None:
    assert is_loopback("127.0.0.2") and is_loopback("[::1]") and is_loopback("LOCALHOST")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.org")


def test_uploads_never_go_into_a_folder_the_project_did_not_make(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    assert uploads_dir_for(index_dir) == tmp_path / "index-uploads"
    (tmp_path / "index-uploads").mkdir()
    (tmp_path / "index-uploads" / "mine.txt").write_text("a user's file")
    with pytest.raises(AdminRefused, match="not created by reportqa"):
        uploads_dir_for(index_dir)
    (tmp_path / "index-uploads" / UPLOADS_MARKER).touch()
    assert uploads_dir_for(index_dir) == tmp_path / "index-uploads"


def test_serve_admin_on_an_open_host_is_refused_at_once(tmp_path: Path) -> None:
    result = run_cli(
        "serve", "--host", "0.0.0.0", "--admin", "--index-dir", str(tmp_path), timeout=60
    )
    assert result.returncode == 1
    assert "token" in result.stderr and "Traceback" not in result.stderr


def test_save_upload_checks_each_file(tmp_path: Path) -> None:
    from ui.admin import save_upload

    uploads = tmp_path / "uploads"
    uploads.mkdir()
    incoming = tmp_path / "in"
    incoming.mkdir()

    def upload(name: str, data: bytes, indexed: frozenset[str] = frozenset()) -> str | None:
        path = incoming / name
        path.write_bytes(data)
        return save_upload(path, uploads, set(indexed), max_bytes=10_000).error

    text = HUAIAN.read_text(encoding="utf-8")[:1500].encode()
    assert upload("ok.txt", text) is None and (uploads / "ok.txt").read_bytes() == text
    assert "已有同名报告" in (upload("jinghu.txt", text, frozenset({"jinghu"})) or "")
    assert "不支持的文件类型" in (upload("tool.exe", b"MZ") or "")
    assert "文件过大" in (upload("big.txt", "字".encode() * 5000) or "")
    assert "binary" in (upload("zeros.txt", b"\x00" * 100) or "")
    assert not (uploads / "zeros.txt").exists()  # an unreadable file leaves no copy
    # An upload never overwrites a file already in the folder.
    (uploads / "kept.txt").write_text("earlier upload")
    assert "已有 kept.txt" in (upload("kept.txt", text) or "")
    assert (uploads / "kept.txt").read_text() == "earlier upload"


@pytest.fixture(scope="module")
def admin_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    index_dir = tmp_path_factory.mktemp("admin") / "index"
    built = run_cli("index", str(JINGHU), "--index-dir", str(index_dir))
    assert built.returncode == 0, built.stderr
    with served("--index-dir", str(index_dir), "--admin", "--max-upload-mb", "0.1") as running:
        yield running.url, index_dir


@pytest.mark.browser
@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium")
def test_manage_reports_in_the_browser(admin_server: tuple[str, Path], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    url, index_dir = admin_server
    big = tmp_path / "big-report.txt"
    big.write_text("报告" * 60_000, encoding="utf-8")  # over the 0.1 MB limit
    stop = threading.Event()
    failures: list[str] = []

    def keep_asking() -> None:  # the chat keeps answering while reports are indexed
        with httpx.Client(base_url=url, timeout=60) as http:
            while not stop.is_set():
                response = http.post("/api/ask", json={"question": QUESTION})
                if response.status_code != 200 or "120件" not in response.json()["answer"]:
                    failures.append(response.text[:200])

    asker = threading.Thread(target=keep_asking)
    asker.start()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url + "/admin")
            table = page.locator("#rqa-admin-table")
            expect(table).to_contain_text("jinghu-2024-fazhi", timeout=30_000)
            expect(table).to_contain_text("镜湖区")
            page.locator("#rqa-admin-files input[type=file]").set_input_files(
                [str(HUAIAN), str(big)]
            )
            page.locator("#rqa-admin-upload").click()
            log = page.locator("#rqa-admin-log")
            expect(log).to_contain_text("完成", timeout=90_000)
            expect(log).to_contain_text("huaian-2024-xxgk-nianbao.txt：已读取")
            expect(log).to_contain_text("big-report.txt：文件过大")
            expect(table).to_contain_text("huaian-2024-xxgk-nianbao", timeout=30_000)
            assert (index_dir.parent / "index-uploads" / HUAIAN.name).exists()
            with httpx.Client(base_url=url) as http:
                ids = [r["id"] for r in http.get("/api/reports").json()["reports"]]
            assert ids == ["huaian-2024-xxgk-nianbao", "jinghu-2024-fazhi"]

            # The chat page says which reports are loaded, without a reload of the server.
            chat = browser.new_page()
            chat.goto(url + "/")
            expect(chat.locator("#rqa-loaded")).to_contain_text("已加载 2 份报告", timeout=30_000)

            page.locator("#rqa-admin-remove input").click()
            page.get_by_role("option", name="淮安市人民政府2024年政府信息公开工作年度报告").click()
            page.locator("#rqa-admin-remove-btn").click()
            expect(log).to_contain_text("已删除 huaian-2024-xxgk-nianbao", timeout=60_000)
            expect(table).not_to_contain_text("huaian-2024-xxgk-nianbao", timeout=30_000)
            assert not (index_dir.parent / "index-uploads" / HUAIAN.name).exists()
            expect(chat.locator("#rqa-loaded")).to_contain_text("已加载 1 份报告", timeout=30_000)

            page.locator("#rqa-admin-reindex").click()
            expect(log).to_contain_text("已重新索引全部报告", timeout=90_000)
            browser.close()
    finally:
        stop.set()
        asker.join(timeout=60)
    assert failures == []
