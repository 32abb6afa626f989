"""The Milvus backend's settings, without a Milvus: report filters quote ids as literal strings,
the URI is a server or a Lite file, and the collection name follows the index folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from reportqa.errors import InputError
from reportqa.search.milvus_backend import (
    check_uri,
    collection_name,
    report_filter,
)


def test_report_filter_quotes_ids_as_literal_strings() -> None:
    assert report_filter(None) == ""
    assert report_filter({"b", "a"}) == 'report in ["a", "b"]'
    # A quote or backslash in a file name cannot end the literal early.
    assert report_filter({'x"] or report != ["'}) == r'report in ["x\"] or report != [\""]'
    assert report_filter({"镜湖区"}) == 'report in ["镜湖区"]'


def test_uri_must_be_a_server_or_a_lite_file() -> None:
    assert check_uri("http://10.0.0.5:19530") == "http://10.0.0.5:19530"
    assert check_uri(" ./milvus.db ") == "./milvus.db"
    for bad in (None, "", "  ", "localhost:19530", "milvus", "报告.db", "x" * 40 + ".db"):
        with pytest.raises(InputError):
            check_uri(bad)


def test_collection_name_follows_the_index_folder(tmp_path: Path) -> None:
    assert collection_name(tmp_path / "index") == "reportqa_index"
    assert collection_name(tmp_path / "my-index.v2") == "reportqa_my_index_v2"
    assert collection_name(tmp_path / "index", "chosen") == "chosen"
    with pytest.raises(InputError):
        collection_name(tmp_path / "index", "1-bad")
