"""Who may manage reports on a served chat, and where uploads go (no web stack imported here).

Report management is off unless asked for: `--admin` serves it to the local user (loopback
addresses only), a token serves it to whoever has the token, on any address. Uploads go to a
folder this project creates beside the index and marks as its own.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from reportqa.errors import AdminRefused

UPLOADS_MARKER = ".reportqa-uploads"
TOKEN_ENV = "REPORTQA_ADMIN_TOKEN"
MIN_TOKEN_CHARS = 8
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def admin_access(host: str, admin: bool, token: str | None) -> tuple[bool, str | None]:
    """(enabled, token) for a server on `host`; raises AdminRefused when it must not start so.

    A token enables management by itself; `--admin` without one is for the local user only.
    """
    token = (token or "").strip() or None
    if token is not None:
        if len(token) < MIN_TOKEN_CHARS:
            raise AdminRefused(f"The admin token must have at least {MIN_TOKEN_CHARS} characters.")
        return True, token
    if not admin:
        return False, None
    if not is_loopback(host):
        raise AdminRefused(
            f"--admin on {host} would let anyone who reaches it change the index. Give a token "
            f"(--admin-token or {TOKEN_ENV}), or serve on 127.0.0.1."
        )
    return True, None


def uploads_dir_for(index_dir: Path) -> Path:
    """The project's uploads folder beside the index; refuses a folder the project did not make."""
    folder = index_dir.resolve().parent / f"{index_dir.resolve().name}-uploads"
    if folder.exists() and not (folder / UPLOADS_MARKER).exists():
        raise AdminRefused(
            f"{folder} exists and was not created by reportqa; uploads will not be written there. "
            "Move it away or serve another --index-dir."
        )
    return folder
