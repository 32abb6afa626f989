"""Embedding batches on every core while the build writes the previous ones.

Worker processes (not threads: the model's tokenizer and much of its forward pass hold Python's
lock; see README for the measurement) each load the embedder once and embed the batches sent to
them; results come back in order. At most `ahead` batches are in flight, so memory stays bounded
by the batch size. With one worker, batches are embedded in this process, as before.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TypeVar

import numpy as np

from reportqa.indexing.embed import Embedder, load_embedder

T = TypeVar("T")

_worker_embedder: Embedder | None = None


def _exit_with(parent: int) -> None:
    """End this worker when the build that started it is gone: a build killed outright (SIGKILL)
    cannot shut its pool down, and its workers would wait for work forever."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


_load_error: Exception | None = None


def _start_worker(name: str, parent: int) -> None:
    global _worker_embedder, _load_error
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    try:
        _worker_embedder = load_embedder(name)
    except Exception as exc:  # raised to the build with its first batch, not logged here
        _load_error = exc


def _embed(texts: list[str]) -> np.ndarray:
    if _load_error is not None:
        raise _load_error
    assert _worker_embedder is not None
    return _worker_embedder.embed_passages(texts)


def _ready() -> None:
    """Nothing: submitted once per process so that each is spawned and loads its model now."""


def default_workers() -> int:
    """Worker processes for a build: REPORTQA_EMBED_WORKERS, else one per core."""
    configured = os.environ.get("REPORTQA_EMBED_WORKERS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def start_processes(name: str, workers: int) -> ProcessPoolExecutor:
    """`workers` embedding processes for the embedder `name`, spawned now: each loads its model
    while this process goes on (a build starts them before checking its files, which takes
    about as long as loading the model)."""
    pool = ProcessPoolExecutor(
        max_workers=workers,
        # spawn, not fork: a forked copy of a process holding BLAS threads can hang.
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_start_worker,
        initargs=(name, os.getpid()),
    )
    for _ in range(workers):  # the pool spawns a process per task while none is idle
        pool.submit(_ready)
    return pool


# Passages sent to an embedding process at a time. A build's batch (up to 256 passages) is sent
# in pieces so that the processes finish together: with whole batches, the last one kept one
# process busy for seconds after the other had run out of work. The model splits its input
# into small groups of tokens itself, so a piece embeds as fast as a batch.
PIECE_PASSAGES = 64


def _pieces(texts: list[str]) -> list[list[str]]:
    return [texts[k : k + PIECE_PASSAGES] for k in range(0, len(texts), PIECE_PASSAGES)] or [[]]


def _joined(futures: list[Future[np.ndarray | None]]) -> np.ndarray | None:
    parts = [f.result() for f in futures]
    if len(parts) == 1:
        return parts[0]
    return np.concatenate([p for p in parts if p is not None])


def _done(value: np.ndarray | None) -> Future[np.ndarray | None]:
    future: Future[np.ndarray | None] = Future()
    future.set_result(value)
    return future


class BatchEmbedder:
    """Embeds batches of passages with `embedder` in this process, or with `workers` processes
    that each load the same embedder by name. The processes start only once `start_after`
    passages have been embedded here: a small build does not pay for starting them. `started`:
    processes from `start_processes`, used from the first batch (and shut down with this)."""

    def __init__(
        self,
        embedder: Embedder,
        workers: int = 1,
        start_after: int = 2_000,
        started: ProcessPoolExecutor | None = None,
    ) -> None:
        self.embedder = embedder
        self.workers = workers
        self.start_after = start_after
        self._pool: ProcessPoolExecutor | None = started

    def _start_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = start_processes(self.embedder.name, self.workers)
        return self._pool

    def embed_in_order(
        self, batches: Iterable[tuple[T, list[str] | None]], ahead: int = 0
    ) -> Iterator[tuple[T, np.ndarray | None]]:
        """(item, vectors of its texts) for each (item, texts), in the order given; texts None
        (nothing to embed) gives None. At most `ahead` batches wait or run at a time."""
        ahead = ahead or 2 * self.workers
        pending: deque[tuple[T, list[Future[np.ndarray | None]]]] = deque()
        embedded = 0
        for item, texts in batches:
            if texts is None:
                futures = [_done(None)]
            elif self._pool is not None or (self.workers > 1 and embedded >= self.start_after):
                pool = self._start_pool()
                futures = [pool.submit(_embed, part) for part in _pieces(texts)]
            else:
                futures = [_done(self.embedder.embed_passages(texts))]
            embedded += len(texts or [])
            pending.append((item, futures))
            while len(pending) > ahead or (pending and self._pool is None):
                first, done = pending.popleft()
                yield first, _joined(done)
        while pending:
            first, done = pending.popleft()
            yield first, _joined(done)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> BatchEmbedder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
