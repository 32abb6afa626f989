"""The IVF lists FAISS maps from disk leave the server's resident memory once the searches have
probed enough of them, and searching afterwards finds the same rows."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from reportqa.indexing.arrays import NpyAppender
from reportqa.search import dense
from reportqa.search.dense import DenseIndex, Moments, write_dense
from reportqa.search.mapped_files import release_file


def resident_kb(path: Path) -> int:
    """Resident kB of this process's mappings of `path` (/proc/self/smaps)."""
    wanted, total, inside = os.path.realpath(path), 0, False
    with open("/proc/self/smaps", encoding="utf-8") as smaps:
        for line in smaps:
            fields = line.split()
            if "-" in fields[0] and len(fields) >= 5 and ":" in fields[3]:
                inside = len(fields) == 6 and fields[5] == wanted  # a mapping's header line
            elif inside and fields[0] == "Rss:":
                total += int(fields[1])
    return total


@pytest.mark.skipif(not Path("/proc/self/smaps").exists(), reason="reads /proc/self/smaps")
def test_probed_ivf_pages_are_released(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dense, "ANN_MIN_VECTORS", 2_000)
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(40_000, 64)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    moments = Moments(64)
    with NpyAppender(tmp_path / dense.VECTORS, np.float32, width=64) as out:
        out.append(vectors)
        moments.add(vectors)
    write_dense(tmp_path, 64, moments)
    index = DenseIndex.load(tmp_path)
    faiss_file = tmp_path / dense.FAISS_FILE
    assert index.approximate and index.mapped_file == faiss_file
    index.nprobe = int(index._index.nlist)  # every list: the whole file is read
    queries = vectors[:4]
    before = [index.search(q, 10) for q in queries]
    touched = resident_kb(faiss_file)
    assert touched > 0.5 * faiss_file.stat().st_size / 1024, touched

    assert release_file(faiss_file) > 0
    assert resident_kb(faiss_file) < 0.1 * touched

    # The search lets them go itself once it has probed RELEASE_AFTER_BYTES of lists.
    # (Three searches of every list read the file three times: not yet; a fourth: let go.)
    monkeypatch.setattr(dense, "RELEASE_AFTER_BYTES", faiss_file.stat().st_size * 3)
    index._probed_bytes = 0
    after = [index.search(q, 10) for q in queries[:3]]
    assert resident_kb(faiss_file) > 0.5 * touched
    after.append(index.search(queries[3], 10))
    assert resident_kb(faiss_file) < 0.1 * touched
    for (ids, sims), (ids_again, sims_again) in zip(before, after, strict=True):
        assert ids.tolist() == ids_again.tolist()
        assert sims.tobytes() == sims_again.tobytes()
