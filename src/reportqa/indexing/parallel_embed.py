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


def _start_worker(name: str, parent: int) -> None:
    global _worker_embedder
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()
    _worker_embedder = load_embedder(name)


def _embed(texts: list[str]) -> np.ndarray:
    assert _worker_embedder is not None
    return _worker_embedder.embed_passages(texts)


def default_workers() -> int:
    """Worker processes for a build: REPORTQA_EMBED_WORKERS, else one per core."""
    configured = os.environ.get("REPORTQA_EMBED_WORKERS", "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def _done(value: np.ndarray | None) -> Future[np.ndarray | None]:
    future: Future[np.ndarray | None] = Future()
    future.set_result(value)
    return future


class BatchEmbedder:
    """Embeds batches of passages with `embedder` in this process, or with `workers` processes
    that each load the same embedder by name. The processes start only once `start_after`
    passages have been embedded here: a small build does not pay for starting them."""

    def __init__(self, embedder: Embedder, workers: int = 1, start_after: int = 2_000) -> None:
        self.embedder = embedder
        self.workers = workers
        self.start_after = start_after
        self._pool: ProcessPoolExecutor | None = None

    def _start_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                # spawn, not fork: a forked copy of a process holding BLAS threads can hang.
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(self.embedder.name, os.getpid()),
            )
        return self._pool

    def embed_in_order(
        self, batches: Iterable[tuple[T, list[str] | None]], ahead: int = 0
    ) -> Iterator[tuple[T, np.ndarray | None]]:
        """(item, vectors of its texts) for each (item, texts), in the order given; texts None
        (nothing to embed) gives None. At most `ahead` batches wait or run at a time."""
        ahead = ahead or 2 * self.workers
        pending: deque[tuple[T, Future[np.ndarray | None]]] = deque()
        embedded = 0
        for item, texts in batches:
            if texts is None:
                future = _done(None)
            elif self.workers > 1 and (self._pool is not None or embedded >= self.start_after):
                future = self._start_pool().submit(_embed, texts)
            else:
                future = _done(self.embedder.embed_passages(texts))
            embedded += len(texts or [])
            pending.append((item, future))
            while len(pending) > ahead or (pending and self._pool is None):
                first, done = pending.popleft()
                yield first, done.result()
        while pending:
            first, done = pending.popleft()
            yield first, done.result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> BatchEmbedder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
