"""The typed manifest: the JSON on disk round-trips unchanged, and a wrong shape is named."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from reportqa.errors import IndexUnusableError
from reportqa.indexing.build import build_settings
from reportqa.indexing.manifest import (
    BuildSettings,
    EmbedderInfo,
    Manifest,
    ManifestError,
    ReportEntry,
)
from reportqa.indexing.store import FORMAT_VERSION, read_manifest
from reportqa.ingest.metadata import ReportMeta
from reportqa.ingest.parse import PARSER_VERSION, ChunkSettings

# A manifest as reportqa wrote it before the typed records (two entries of index-eval/'s,
# built 2026-11-28, and a PDF entry with its page count), key order included.
OLD_MANIFEST: dict[str, Any] = {
    "format_version": 2,
    "embedder": {"name": "use-multilingual-v3", "dim": 512},
    "tokenizer": "cjk-char-bigram-v1",
    "chunker": {"max_chars": 200, "overlap_sentences": 1},
    "reportqa_version": "0.1.0",
    "built_at": "2026-11-28T22:31:44+0000",
    "chunk_count": 186,
    "reports": {
        "jinghu-2024-fazhi": {
            "file": "jinghu-2024-fazhi.txt",
            "path": "/work/main/seeds/jinghu-2024-fazhi.txt",
            "sha256": "02d2a8d837e51f0a1933a998e353418febe07d5c7ab5d7bd58c71a862855102d",
            "chars": 5481,
            "text_bytes": 15215,
            "chunks": 46,
            "rows": [0, 46],
            "title": "镜湖区人民政府关于2024年法治政府建设情况的报告",
            "places": ["芜湖市", "镜湖区"],
            "years": [2024],
            "kind": "法治政府建设情况报告",
            "issuer": "镜湖区人民政府",
            "sources": {
                "title": "title line",
                "kind": "title line",
                "places": "sidecar",
                "years": "title line",
            },
            "source": "Public report of the 芜湖市镜湖区 People's Government, received as "
            "000_b09f2e2d8cdb3710.txt; text unchanged.",
        },
        "南京": {
            "file": "南京.docx",
            "path": "/work/main/eval/reports/cities-docx/南京.docx",
            "sha256": "ecb4e2c646fc986f85ca2539dc5af1b8362e721f7121bedcdb0a03db2b4dddbf",
            "chars": 15812,
            "text_bytes": 46379,
            "chunks": 130,
            "rows": [46, 176],
            "title": "南京",
            "places": ["南京市"],
            "years": [2023, 2024],
            "kind": "政府工作报告",
            "issuer": "南京市人民政府",
            "sources": {
                "title": "file name",
                "kind": "body",
                "places": "file name",
                "years": "body",
            },
        },
        "scan": {
            "file": "scan.pdf",
            "path": "/tmp/scan.pdf",
            "sha256": "00",
            "chars": 900,
            "text_bytes": 2700,
            "chunks": 10,
            "rows": [176, 186],
            "title": "scan",
            "places": [],
            "years": [],
            "kind": "",
            "issuer": "",
            "sources": {"title": "file name"},
            "pages": 3,
        },
    },
    "files": {"chunks.jsonl": 123, "vectors.npy": 456},
}


def test_a_manifest_written_before_the_records_reads_and_writes_back_unchanged() -> None:
    manifest = Manifest.from_json(copy.deepcopy(OLD_MANIFEST))
    assert manifest.embedder == EmbedderInfo("use-multilingual-v3", 512)
    assert manifest.chunker == ChunkSettings(200, 1, parser=1)  # built before the parser's version
    nanjing = manifest.reports["南京"]
    assert nanjing.rows == (46, 176) and nanjing.years == (2023, 2024) and nanjing.source is None
    assert manifest.reports["scan"].pages == 3
    assert list(manifest.reports) == ["jinghu-2024-fazhi", "南京", "scan"]  # row order kept
    # Same keys, same values, same order: the bytes written are the bytes read.
    assert json.dumps(manifest.to_json(), ensure_ascii=False) == json.dumps(
        OLD_MANIFEST, ensure_ascii=False
    )


def test_an_index_of_an_older_parser_is_not_up_to_date_and_the_current_one_round_trips() -> None:
    # A report pasted into Word as one paragraph gets other passages from parser 2; an index
    # built by parser 1 must be rebuilt, not kept as up to date on unchanged checksums.
    old = Manifest.from_json(copy.deepcopy(OLD_MANIFEST))
    current = build_settings("use-multilingual-v3", ChunkSettings())
    assert ChunkSettings().parser == PARSER_VERSION > 1
    assert old.settings != current
    assert replace(old, chunker=ChunkSettings()).settings == current
    written = replace(old, chunker=ChunkSettings()).to_json()
    assert written["chunker"] == {
        "max_chars": 200,
        "overlap_sentences": 1,
        "parser": PARSER_VERSION,
    }
    assert Manifest.from_json(written).chunker == ChunkSettings()


def test_an_entry_round_trips_through_its_metadata() -> None:
    meta = ReportMeta(
        "某区报告", ["某区"], [2024], "年度报告", "某区人民政府", {"title": "sidecar"}
    )
    entry = ReportEntry.of(
        meta, file="a.txt", path="/r/a.txt", sha256="ab", chars=3, text_bytes=9, rows=(5, 8)
    )
    assert entry.chunks == 3 and entry.meta() == meta
    assert ReportEntry.from_json("a", entry.to_json()) == entry
    assert entry.with_rows((0, 3)).rows == (0, 3)


def test_the_embedder_has_one_shape_and_settings_compare_as_records() -> None:
    manifest = Manifest.from_json(copy.deepcopy(OLD_MANIFEST))
    wanted = BuildSettings(
        FORMAT_VERSION, "use-multilingual-v3", "cjk-char-bigram-v1", ChunkSettings(parser=1)
    )
    assert manifest.settings == wanted
    assert manifest.settings != BuildSettings(
        FORMAT_VERSION, "BAAI/bge-small-zh-v1.5", "cjk-char-bigram-v1", ChunkSettings()
    )


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        (lambda m: m["reports"]["南京"].__setitem__("years", ["2024"]), '"years"'),
        (lambda m: m["reports"]["南京"].pop("rows"), "南京"),
        (lambda m: m["reports"].__setitem__("南京", []), "南京"),
        (lambda m: m.__setitem__("embedder", "use-multilingual-v3"), "damaged"),
        (lambda m: m.__setitem__("chunker", {"max_chars": 200, "colour": 1}), "damaged"),
    ],
)
def test_a_wrong_shape_is_named(damage: Any, named: str) -> None:
    data = copy.deepcopy(OLD_MANIFEST)
    damage(data)
    with pytest.raises(ManifestError, match=named):
        Manifest.from_json(data)


def test_read_manifest_gives_the_record_and_says_what_is_wrong(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    path = index_dir / "manifest.json"
    path.write_text(json.dumps(OLD_MANIFEST, ensure_ascii=False), encoding="utf-8")
    manifest = read_manifest(index_dir)
    assert manifest is not None and manifest.reports["scan"].pages == 3
    other_version = {**OLD_MANIFEST, "format_version": 1, "reports": {"x": {"no rows": 1}}}
    path.write_text(json.dumps(other_version), encoding="utf-8")
    with pytest.raises(IndexUnusableError, match="format version 1"):
        read_manifest(index_dir)
    bad = copy.deepcopy(OLD_MANIFEST)
    bad["reports"]["scan"]["rows"] = "all"
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(IndexUnusableError, match=r"scan.*--index-dir"):
        read_manifest(index_dir)
