"""A served index that follows its folder: a rebuild becomes visible without restarting the server.

`reportqa index` and `reportqa remove` write a new index into a temporary folder and rename it into
place, so each index folder, once it holds a manifest, never changes again; a rebuild is a new
folder (a new *generation*) under the same name. `LiveIndex` watches the manifest, loads a new
generation beside the one in use, warms it up, and only then swaps the reference. A request takes
the engine once at its start and finishes on it, so none is dropped by a swap.

A load never sees a half-written index: the folder is opened once and every file is read through
that open directory (Linux `/proc/self/fd`), so a rename during the load cannot mix two
generations; a load that fails because the old folder was deleted under it is retried.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reportqa.engine import Engine
from reportqa.errors import IndexUnusableError, ReportQAError
from reportqa.indexing.store import MANIFEST

log = logging.getLogger(__name__)

POLL_S = 1.0  # how often the manifest is looked at; reading it costs well under a millisecond
LOAD_TRIES = 5  # a load that races a second rebuild is tried again this many times
WARMUP_QUESTION = "报告"

# Builds an engine from a (pinned) index folder, given the engine in use (None at first).
EngineLoader = Callable[[Path, Engine | None], Engine]


def generation_of(manifest_bytes: bytes) -> str:
    """A short name for one generation of the index: the hash of its manifest."""
    return hashlib.sha256(manifest_bytes).hexdigest()[:12]


def current_generation(index_dir: Path) -> str | None:
    """The generation now in the folder, or None while there is none (or a swap is half done).

    Reads the manifest file itself: between the two renames of a swap the folder has none, and
    `store.read_manifest` would then read the previous index (`.old`) as if it were in place.
    """
    try:
        return generation_of((index_dir / MANIFEST).read_bytes())
    except OSError:
        return None


def _pinned_folder() -> bool:
    return Path("/proc/self/fd").is_dir()


def load_generation(index_dir: Path, load: Callable[[Path], Engine]) -> tuple[Engine, str]:
    """Load the generation now in `index_dir`, reading every file from that one folder.

    Returns the engine and its generation. Raises the last error if no complete generation could
    be loaded in `LOAD_TRIES` attempts (a damaged index fails every attempt).
    """
    last: Exception | None = None
    for attempt in range(LOAD_TRIES):
        if attempt:
            time.sleep(0.2 * attempt)
        try:
            fd = os.open(index_dir, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError as exc:  # between the two renames of a swap
            last = IndexUnusableError(
                f"No index at {index_dir}. Build it first: reportqa index seeds/ --index-dir "
                f"{index_dir}"
            )
            last.__cause__ = exc
            continue
        except OSError as exc:
            raise IndexUnusableError(f"Cannot open the index folder {index_dir}: {exc}") from exc
        keep_open = False
        try:
            folder = Path(f"/proc/self/fd/{fd}") if _pinned_folder() else index_dir
            inode = os.fstat(fd).st_ino
            try:
                manifest = (folder / MANIFEST).read_bytes()
            except OSError as exc:
                last = IndexUnusableError(f"No index at {index_dir} ({exc}).")
                continue
            try:
                engine = load(folder)
            except ReportQAError as exc:
                # Messages name the folder the user knows, not the pinned path.
                last = type(exc)(str(exc).replace(str(folder), str(index_dir)))
                continue
            if folder == index_dir and os.stat(index_dir).st_ino != inode:
                continue  # no pinning here: the folder was swapped during the load
            engine.index_dir = index_dir
            # Files a later step may still read through the pinned path stay reachable for as
            # long as this engine lives.
            weakref.finalize(engine, os.close, fd)
            keep_open = True
            return engine, generation_of(manifest)
        finally:
            if not keep_open:
                os.close(fd)
    raise last if last else IndexUnusableError(f"The index at {index_dir} kept changing.")


def _warm_up(engine: Engine) -> None:
    """Answer one question, so that what an engine loads lazily is loaded before users reach it.

    Extractive only: a language model would only add its own latency here.
    """
    generator, engine.generator = engine.generator, None
    try:
        titles = [info.title for info in engine.reports.values()]
        engine.ask(titles[0] if titles else WARMUP_QUESTION)
    finally:
        engine.generator = generator


@dataclass(frozen=True)
class IndexStatus:
    generation: str | None
    reports: int
    chunks: int
    loaded_at: float | None
    error: str | None  # why the newest generation is not in use, if it is not
    swaps: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "generation": self.generation,
            "reports": self.reports,
            "chunks": self.chunks,
            "loaded_at": self.loaded_at,
            "error": self.error,
            "swaps": self.swaps,
        }


class LiveIndex:
    """The engine of the newest complete generation of an index folder."""

    def __init__(
        self,
        index_dir: Path,
        loader: EngineLoader,
        poll_s: float = POLL_S,
        warm_up: bool = True,
    ) -> None:
        self.index_dir = index_dir
        self._loader = loader
        self._poll_s = poll_s
        self._warm_up = warm_up
        self._engine: Engine | None = None
        self._generation: str | None = None
        self._loaded_at: float | None = None
        self._error: str | None = None
        self._failed_generation: str | None = None
        self._swaps = 0
        self._reload_lock = threading.Lock()  # one load at a time
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._listeners: list[Callable[[Engine], None]] = []

    @property
    def engine(self) -> Engine | None:
        """The engine in use; a request should read this once and keep it to its end."""
        return self._engine

    def require(self) -> Engine:
        engine = self._engine
        if engine is None:
            raise IndexUnusableError(
                self._error
                or "还没有可用的索引，请先建立索引。"
                f"(No index at {self.index_dir} yet. Build it: reportqa index seeds/ "
                f"--index-dir {self.index_dir})"
            )
        return engine

    @property
    def generation(self) -> str | None:
        return self._generation

    def status(self) -> IndexStatus:
        engine = self._engine
        return IndexStatus(
            generation=self._generation,
            reports=len(engine.reports) if engine else 0,
            chunks=len(engine.chunks) if engine else 0,
            loaded_at=self._loaded_at,
            error=self._error,
            swaps=self._swaps,
        )

    def on_swap(self, listener: Callable[[Engine], None]) -> None:
        """Call `listener(new_engine)` after each swap (not for the first load)."""
        self._listeners.append(listener)

    def adopt(self, engine: Engine, generation: str | None = None) -> None:
        """Serve an engine loaded elsewhere (the first one, loaded before the server starts)."""
        self._engine = engine
        self._generation = generation or current_generation(self.index_dir)
        self._loaded_at = time.time()

    def refresh(self) -> bool:
        """Load and swap in the folder's generation if it is new; True if a swap happened.

        Errors are kept in `status().error` and the engine in use keeps serving.
        """
        with self._reload_lock:
            seen = current_generation(self.index_dir)
            if seen is None or seen in (self._generation, self._failed_generation):
                return False
            previous = self._engine
            try:
                engine, generation = load_generation(
                    self.index_dir, lambda folder: self._loader(folder, previous)
                )
                if self._warm_up:
                    _warm_up(engine)
            except Exception as exc:  # any failure leaves the engine in use serving
                log.warning("index generation %s not loaded: %s", seen, exc)
                self._error = str(exc)
                self._failed_generation = seen
                return False
            self._engine = engine
            self._generation = generation
            self._loaded_at = time.time()
            self._error = None
            self._failed_generation = None
            if previous is not None:
                self._swaps += 1
            for listener in self._listeners:
                try:
                    listener(engine)
                except Exception:
                    log.exception("index swap listener failed")
            return True

    def start(self) -> None:
        """Watch the folder in a background thread until `stop()`."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._watch, name="reportqa-live-index", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _watch(self) -> None:
        while not self._stop.wait(self._poll_s):
            try:
                self.refresh()
            except Exception:  # the watcher must outlive any one bad generation
                log.exception("index watch failed")


def engine_loader(embedder_name: str | None = None, generator: Any = None) -> EngineLoader:
    """Loads engines the way `reportqa serve` does, reusing the loaded embedding model."""

    def load(folder: Path, previous: Engine | None) -> Engine:
        if previous is not None and embedder_name in (None, previous.embedder.name):
            try:
                return Engine(folder, embedder=previous.embedder, generator=generator)
            except IndexUnusableError as exc:
                if "embedder" not in str(exc):
                    raise
            # built with another embedder: load that one, as a fresh start would
        return Engine(folder, embedder_name=embedder_name, generator=generator)

    return load
