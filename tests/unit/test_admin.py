"""报告管理: who may use it and where uploads go. The page itself is driven in Chromium in
test_api.py, on the same server as the API tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from paths import SEEDS
from reportqa.admin_access import (
    UPLOADS_MARKER,
    AdminRefused,
    admin_access,
    is_loopback,
    uploads_dir_for,
)

HUAIAN = SEEDS / "huaian-2024-xxgk-nianbao.txt"


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


def test_every_action_asks_for_the_token(tmp_path: Path) -> None:
    from ui.admin import Admin, AdminSettings

    from reportqa.indexing.live import LiveIndex, engine_loader

    live = LiveIndex(tmp_path / "index", engine_loader())
    admin = Admin(live, AdminSettings(tmp_path / "uploads", token="s3cret-token"))
    assert admin.authorised("s3cret-token")
    assert not admin.authorised("wrong") and not admin.authorised("") and not admin.authorised(None)
    assert list(admin.guarded("wrong", admin.reindex)) == ["❌ 管理口令不正确。"]
    # With the token, the action runs and its failure is a message, not an exception.
    said = list(admin.guarded("s3cret-token", admin.reindex))
    assert said and "❌" in said[-1] and "No index" in said[-1]
    assert Admin(live, AdminSettings(tmp_path / "uploads")).authorised(None)  # --admin, loopback
