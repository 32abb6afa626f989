"""报告管理: `reportqa serve --admin` on an open host without a real token is refused at once."""

from __future__ import annotations

from pathlib import Path

from served import run_cli


def test_serve_admin_on_an_open_host_is_refused_at_once(tmp_path: Path) -> None:
    result = run_cli(
        "serve", "--host", "0.0.0.0", "--admin", "--index-dir", str(tmp_path), timeout=60
    )
    assert result.returncode == 1
    assert "token" in result.stderr and "Traceback" not in result.stderr
