"""报告管理: list, upload, remove and re-index reports from the browser, while the chat keeps answering.

Off unless the server is started with `--admin` (loopback hosts only) or with a token
(`--admin-token` or REPORTQA_ADMIN_TOKEN), which every action then asks for. Uploaded files are
copied into a folder this project creates beside the index (`INDEX-uploads/`, marked by a
`.reportqa-uploads` file); a file is never overwritten there, and no other folder is written.
Every change is written as a new index generation, which the live index swaps in when it is
complete and warmed up; until then the chat answers from the previous one.
"""

from __future__ import annotations

import hmac
import html
import logging
import queue
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gradio as gr

from reportqa.admin_access import UPLOADS_MARKER
from reportqa.errors import InputError, ReportQAError
from reportqa.indexing.build import BuildResult, remove_reports
from reportqa.indexing.live import LiveIndex
from reportqa.indexing.manage import add_reports, reindex
from reportqa.indexing.manifest import ReportEntry, report_rows
from reportqa.ingest.read import SUPPORTED_SUFFIXES, SourceReport, read_report

MAX_UPLOAD_MB = 20.0
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AdminSettings:
    uploads_dir: Path
    token: str | None = None  # None: actions need no token (loopback, --admin)
    max_upload_mb: float = MAX_UPLOAD_MB


def _ensure_uploads_dir(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / UPLOADS_MARKER).touch()


def field_origins(entry: ReportEntry) -> str:
    """Where a report's metadata came from, as far as its manifest entry says."""
    parts = [f"{field}: {origin}" for field, origin in entry.sources.items()]
    if entry.source:
        parts.append(f"出处: {entry.source}")
    return "; ".join(parts) or "—"


TABLE_HEADERS = ["id", "标题", "类型", "地区", "年份", "段落数", "文件", "字段来源"]


def report_table(live: LiveIndex) -> list[list[Any]]:
    engine = live.engine
    if engine is None:
        return []
    entries = engine.manifest.reports
    return [
        [
            row["id"],
            row["title"],
            row["kind"] or "?",
            "、".join(row["places"]) or "?",
            "、".join(str(y) for y in row["years"]) or "?",
            row["chunks"],
            row["file"],
            field_origins(entries[row["id"]]),
        ]
        for row in report_rows(engine.manifest)
    ]


def _upload_name(path: Path) -> str:
    """The file name to keep: the name the user's browser gave, without any folder part."""
    return Path(path.name).name.strip()


@dataclass
class UploadCheck:
    name: str
    error: str | None = None
    report: SourceReport | None = None


def save_upload(source: Path, uploads_dir: Path, indexed: set[str], max_bytes: int) -> UploadCheck:
    """Copy one uploaded file into the uploads folder and read it; or say what is wrong."""
    name = _upload_name(source)
    if not name or name.startswith((".", "~$")):
        return UploadCheck(name or "(无名)", "文件名无效。")
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        return UploadCheck(
            name, f"不支持的文件类型 {suffix or '(无)'}；只支持 {'、'.join(SUPPORTED_SUFFIXES)}。"
        )
    size = source.stat().st_size
    if size > max_bytes:
        return UploadCheck(name, f"文件过大（{size / 1e6:.1f} MB），上限 {max_bytes / 1e6:g} MB。")
    rid = Path(name).stem
    if rid in indexed:
        return UploadCheck(name, f"已有同名报告 {rid}；如要替换，请先删除它。")
    dest = uploads_dir / name
    try:
        with source.open("rb") as src, dest.open("xb") as out:  # "x": never overwrite
            shutil.copyfileobj(src, out)
    except FileExistsError:
        return UploadCheck(name, f"上传文件夹中已有 {name}；请改名后再上传。")
    try:
        return UploadCheck(name, report=read_report(dest))
    except InputError as exc:
        dest.unlink(missing_ok=True)
        return UploadCheck(name, str(exc).replace(str(dest), name))


class Admin:
    """The management actions; one at a time, each ending in a swap of the live index."""

    def __init__(self, live: LiveIndex, settings: AdminSettings) -> None:
        self.live = live
        self.settings = settings
        self._busy = threading.Lock()

    def authorised(self, token: str | None) -> bool:
        wanted = self.settings.token
        return wanted is None or hmac.compare_digest((token or "").encode(), wanted.encode())

    def _run(self, work: Callable[[Callable[[str, int, int], None]], BuildResult]) -> Iterator[str]:
        """Run a build in a thread, yielding progress lines, then wait for the swap."""
        lines: queue.Queue[str] = queue.Queue()
        outcome: dict[str, Any] = {}

        def progress(report_id: str, done: int, total: int) -> None:
            lines.put(f"索引中 {done}/{total}：{report_id}")

        def target() -> None:
            try:
                outcome["result"] = work(progress)
            except ReportQAError as exc:
                outcome["error"] = str(exc)
            except Exception as exc:  # the page gets a message, the log the traceback
                outcome["error"] = f"内部错误：{exc}"
            finally:
                lines.put("")

        thread = threading.Thread(target=target, name="reportqa-admin-build", daemon=True)
        thread.start()
        while True:
            line = lines.get()
            if not line:
                break
            yield line
        thread.join()
        if "error" in outcome:
            raise InputError(outcome["error"])
        yield "新索引已写好，正在加载……（加载完成前，问答仍使用原索引）"
        self.live.refresh()
        status = self.live.status()
        if status.error:
            raise InputError(f"新索引未能加载：{status.error}")

    def upload(self, paths: list[Path]) -> Iterator[str]:
        """Per-file messages, then progress, then the outcome (as lines of Markdown)."""
        engine = self.live.engine
        indexed = set(engine.reports) if engine else set()
        _ensure_uploads_dir(self.settings.uploads_dir)
        max_bytes = int(self.settings.max_upload_mb * 1e6)
        checks = [save_upload(p, self.settings.uploads_dir, indexed, max_bytes) for p in paths]
        names = [c.report.id for c in checks if c.report]
        duplicates = {n for n in names if names.count(n) > 1}
        log = []
        good: list[SourceReport] = []
        for check in checks:
            if check.report and check.report.id in duplicates:
                check.error = f"同一批中有多个文件名为 {check.report.id}。"
                check.report.path.unlink(missing_ok=True)
                check.report = None
            if check.error:
                log.append(f"- ❌ {check.name}：{check.error}")
            elif check.report:
                good.append(check.report)
                log.append(f"- ✅ {check.name}：已读取 {len(check.report.text):,} 字")
        yield "\n".join(log)
        if not good:
            return
        embedder = self.live.require().embedder if engine else None
        if embedder is None:
            from reportqa.indexing.embed import load_embedder

            embedder = load_embedder(None)
        try:
            for line in self._run(
                lambda progress: add_reports(self.live.index_dir, good, embedder, progress)
            ):
                yield "\n".join([*log, "", line])
        except InputError:
            for report in good:  # not indexed: keep no copy that a later upload would clash with
                report.path.unlink(missing_ok=True)
            raise
        yield "\n".join([*log, "", f"完成：已加入 {len(good)} 份报告，问答已切换到新索引。"])

    def remove(self, report_ids: list[str]) -> Iterator[str]:
        if not report_ids:
            raise InputError("请先选择要删除的报告。")
        engine = self.live.require()
        entries = engine.manifest.reports
        files = {rid: entries[rid].file if rid in entries else None for rid in report_ids}
        yield from self._run(lambda _progress: remove_reports(self.live.index_dir, report_ids))
        for name in files.values():  # our own copies only: the uploads folder is ours
            if name and (self.settings.uploads_dir / name).is_file():
                (self.settings.uploads_dir / name).unlink()
        yield f"完成：已删除 {'、'.join(report_ids)}，问答已切换到新索引。"

    def reindex(self) -> Iterator[str]:
        engine = self.live.require()
        yield from self._run(
            lambda progress: reindex(self.live.index_dir, engine.embedder, progress)
        )
        yield "完成：已重新索引全部报告，问答已切换到新索引。"

    def guarded(self, token: str | None, action: Callable[[], Iterator[str]]) -> Iterator[str]:
        """Run one action if the token is right and nothing else is running; never raise."""
        if not self.authorised(token):
            yield "❌ 管理口令不正确。"
            return
        if not self._busy.acquire(blocking=False):
            yield "❌ 另一项管理操作正在进行，请稍后再试。"
            return
        last = ""
        try:
            for line in action():
                last = line
                yield line
        except ReportQAError as exc:
            yield f"{last}\n\n❌ {html.escape(str(exc))}".strip()
        except Exception:  # the page gets a message, the log the traceback
            logger.exception("report management failed")
            yield f"{last}\n\n❌ 内部错误，操作未完成；详见服务器日志。".strip()
        finally:
            self._busy.release()


def add_admin_panel(live: LiveIndex, settings: AdminSettings) -> None:
    """The 报告管理 components, inside the current Blocks context."""
    admin = Admin(live, settings)
    gr.Markdown(
        "### 报告管理\n"
        f"上传 {' '.join(SUPPORTED_SUFFIXES)} 文件（可多选，每个不超过 "
        f"{settings.max_upload_mb:g} MB），删除报告，或重新索引全部报告。"
        "索引更新期间问答照常进行，新索引就绪后自动切换。"
    )
    token = gr.Textbox(
        label="管理口令",
        type="password",
        visible=settings.token is not None,
        elem_id="rqa-admin-token",
    )
    table = gr.Dataframe(
        value=report_table(live),
        headers=TABLE_HEADERS,
        interactive=False,
        wrap=True,
        label="已加载的报告",
        elem_id="rqa-admin-table",
    )
    files = gr.File(
        label="上传报告",
        file_count="multiple",
        file_types=list(SUPPORTED_SUFFIXES),
        type="filepath",
        elem_id="rqa-admin-files",
    )
    upload_button = gr.Button("上传并索引", variant="primary", elem_id="rqa-admin-upload")
    choices = [
        (info.title, rid) for rid, info in (live.engine.reports.items() if live.engine else [])
    ]
    to_remove = gr.Dropdown(
        choices=choices, multiselect=True, label="选择要删除的报告", elem_id="rqa-admin-remove"
    )
    with gr.Row():
        remove_button = gr.Button("删除所选报告", variant="stop", elem_id="rqa-admin-remove-btn")
        reindex_button = gr.Button("重新索引全部报告", elem_id="rqa-admin-reindex")
    log = gr.Markdown(elem_id="rqa-admin-log")

    def after() -> tuple[Any, Any]:
        engine = live.engine
        options = [(info.title, rid) for rid, info in engine.reports.items()] if engine else []
        return gr.update(value=report_table(live)), gr.update(choices=options, value=[])

    def do_upload(key: str, paths: list[str] | None) -> Iterator[str]:
        chosen = [Path(p) for p in (paths or [])]
        if not chosen:
            yield "❌ 请先选择要上传的文件。"
            return
        yield from admin.guarded(key, lambda: admin.upload(chosen))

    def do_remove(key: str, ids: list[str] | None) -> Iterator[str]:
        yield from admin.guarded(key, lambda: admin.remove(list(ids or [])))

    def do_reindex(key: str) -> Iterator[str]:
        yield from admin.guarded(key, admin.reindex)

    for button, handler, inputs in (
        (upload_button, do_upload, [token, files]),
        (remove_button, do_remove, [token, to_remove]),
        (reindex_button, do_reindex, [token]),
    ):
        button.click(handler, inputs, [log], api_visibility="private", concurrency_limit=1).then(
            after, None, [table, to_remove], api_visibility="private"
        )
