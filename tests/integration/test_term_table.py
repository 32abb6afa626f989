"""The keyword vocabulary read from disk by binary search, not held in a dict while serving."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from paths import ROOT
from reportqa.indexing.keyword_build import KeywordIndexWriter, open_mapped_bm25
from reportqa.indexing.term_table import (
    AnswerFrequencies,
    TermTable,
    write_answer_df,
    write_term_table,
)
from reportqa.indexing.tokenize import tokenize
from reportqa.search.retrieve import KeywordIndex

TEXTS = [
    "2024年全区新收行政复议案件120件，同比增长50.6%。",
    "AI and GDP: 地区生产总值1.135亿元",
    "淮安市政府网站主动公开各类政府信息",
    "",
]


def _vocab() -> dict[str, int]:
    vocab: dict[str, int] = {}
    for text in TEXTS:
        for token in tokenize(text):
            vocab.setdefault(token, len(vocab))
    return vocab


def test_every_term_is_found_with_its_id_and_no_other(tmp_path: Path) -> None:
    vocab = _vocab()
    write_term_table(tmp_path, vocab)
    table = TermTable(tmp_path)
    assert len(table) == len(vocab)
    assert {term: table[term] for term in table} == vocab
    for term, term_id in vocab.items():
        assert term in table and table.get(term) == term_id
    # Neighbours in sorted order, prefixes, longer strings and the empty string are not terms.
    for absent in ["", "年|年", "2024|年x", "亿元", "gdp|", "zzz", "\U0002a6a5", "0"]:
        assert absent not in vocab
        assert absent not in table and table.get(absent) is None
        with pytest.raises(KeyError):
            table[absent]


def test_an_empty_vocabulary_has_no_terms(tmp_path: Path) -> None:
    write_term_table(tmp_path, {})
    table = TermTable(tmp_path)
    assert len(table) == 0 and "年" not in table and list(table) == []


def test_answer_frequencies_read_by_term(tmp_path: Path) -> None:
    vocab = _vocab()
    df = Counter({"年": 3, "120|件": 1, "gdp": 2})
    write_term_table(tmp_path, vocab)
    write_answer_df(tmp_path, vocab, df)
    frequencies = AnswerFrequencies(TermTable(tmp_path), tmp_path)
    assert dict(frequencies) == dict(df)
    assert frequencies.get("年", 0) == 3 and frequencies.get("亿", 0) == 0
    assert frequencies.get("not a term", 0) == 0


def test_a_damaged_table_is_refused(tmp_path: Path) -> None:
    write_term_table(tmp_path, _vocab())
    (tmp_path / "terms.bin").write_bytes(b"short")
    with pytest.raises(ValueError):
        TermTable(tmp_path)


def test_the_mapped_keyword_index_scores_as_the_json_vocabulary_does(tmp_path: Path) -> None:
    writer = KeywordIndexWriter(tmp_path)
    writer.add(TEXTS * 3)
    writer.finish()
    mapped = KeywordIndex.load(tmp_path)
    assert open_mapped_bm25(tmp_path / "bm25") is not None
    (tmp_path / "bm25" / "terms.bin").unlink()  # an index written before the table: bm25s
    through_json = KeywordIndex.load(tmp_path)
    assert isinstance(through_json._vocab, dict)
    for query in ["2024年新收行政复议案件多少件", "GDP 1.135亿元", "淮安", "无关"]:
        assert np.array_equal(mapped.scores(query), through_json.scores(query))


_LOAD_AND_MEASURE = r"""
import json, sys
from pathlib import Path
import numpy as np
from reportqa.search.retrieve import KeywordIndex

def rss_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096 / 1e6

folder = Path(sys.argv[1])
query = "123456件，7件，399999件，缺"
KeywordIndex.load(folder).scores(query)  # the modules loading and searching first imports
before = rss_mb()
index = KeywordIndex.load(folder)
scores = index.scores(query)
loaded = rss_mb()
vocab = json.loads((folder / "bm25" / "vocab.index.json").read_text(encoding="utf-8"))
as_dict = rss_mb()
print(json.dumps({"mapped_mb": loaded - before, "dict_mb": as_dict - loaded,
                  "hits": int(np.count_nonzero(scores)), "terms": len(vocab)}))
"""


def test_serving_memory_does_not_grow_with_the_vocabulary(tmp_path: Path) -> None:
    """400,000 distinct terms: loading the keyword index (and looking terms up) adds a few MB,
    where the vocabulary as a dict takes tens of MB (a 10,000-report corpus: millions of terms)."""
    writer = KeywordIndexWriter(tmp_path)
    for start in range(0, 400_000, 40_000):
        writer.add_counts(
            [
                (Counter({f"{start + d * 100 + i}|件": 1 for i in range(100)}), 100)
                for d in range(400)
            ]
        )
    writer.finish()
    done = subprocess.run(
        [sys.executable, "-c", _LOAD_AND_MEASURE, str(tmp_path)],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    assert measured["terms"] == 400_000 and measured["hits"] == 3
    assert measured["dict_mb"] > 20, measured  # what the vocabulary costs held as a dict
    assert measured["mapped_mb"] < measured["dict_mb"] / 4, measured
