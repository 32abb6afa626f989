"""Answer rules checked without an index: the scope of the evidence against the scope asked, the
qualifier of a part asked for, and the items an announcement enumerates."""

from __future__ import annotations

from reportqa.answer.evidence import ReportInfo, report_scope, scope_conflict
from reportqa.answer.lists import announced_items
from reportqa.answer.passages import chunks_in
from reportqa.answer.question import subset_qualifier
from reportqa.answer.scoring import Candidate
from reportqa.records import Chunk, Hit


def test_scope_of_the_evidence_must_match_the_scope_asked() -> None:
    district = ReportInfo(title="镜湖区报告", places=("芜湖市", "镜湖区"), years=(2024,))
    province = ReportInfo(title="安徽省报告", places=("安徽省",), years=(2025,))
    assert report_scope(district) == "全区"
    assert report_scope(province) == "全省"
    assert scope_conflict("全市调解率？", "全区调解率达50.6%。", "", district) == "全区"
    assert scope_conflict("全市调解率？", "调解率达50.6%。", "", district) == "全区"
    assert scope_conflict("全区调解率？", "调解率达50.6%。", "", district) is None
    assert scope_conflict("调解率？", "全区调解率达50.6%。", "", district) is None
    assert scope_conflict("全省排名？", "居全国第4位、全省第1。", "", province) is None


def test_qualifier_of_a_part_asked_for() -> None:
    assert subset_qualifier("法律援助案件中刑事案件有多少件？") == "刑事"
    assert subset_qualifier("新收行政复议案件中调解结案多少件？") == "调解"
    assert subset_qualifier("在全市法治政府考评中排第几？") is None  # not a noun phrase
    assert subset_qualifier("新收行政复议案件多少件？") is None


def test_announced_items_follow_their_announcement() -> None:
    text = "重点做好以下三个方面工作。（一）稳增长，促发展。（二）抓改革，促开放。（三）惠民生，保安全。（一）另一份清单。"
    chunk = Chunk("r", "二、工作安排", 0, len(text), text)
    end = text.index("。") + 1
    anchor = Candidate(0, Hit(0, chunk, 1.0), 0, end, 1.0, 1.0, frozenset())
    items = announced_items(anchor, chunks_in([chunk]), {"r": text})
    assert [text[c.start : c.end] for c in items] == [
        "（一）稳增长",
        "（二）抓改革",
        "（三）惠民生",
    ]
