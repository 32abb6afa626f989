"""Retrieval and answers on the real reports: figures, paraphrases, and refusals."""

from __future__ import annotations

import re

import pytest

from reportqa.engine import Engine

ANSWERED = [
    ("2024年镜湖区全区新收行政复议案件多少件？", "120件"),
    ("2024年行政复议调解率是多少？", "50.6%"),
    ("镜湖区2024年为群众和经营主体减免证明材料多少件？", "1.3万余件"),
    ("区政府党组2024年学习习近平法治思想几次？", "8次"),
    ("镜湖区2024年受理法律援助案件多少件？", "644件"),
    ("镜湖区为餐饮店开办推出的选址举措叫什么？", "码上知"),
    ("2024年全区新收行政复议案件中调解结案多少件？", "44件"),  # a part the report does give
    # paraphrases: the question shares few words with the passage
    ("镜湖区专门给“事情办不下来”的群众开的窗口，2024年接待了多少件？", "17件"),
    ("镜湖区企业和居民不用申请审核就能拿到的惠企政策资金，累计发了多少？", "2040万元"),
]
REFUSED = [
    "2023年镜湖区全区新收行政复议案件多少件？",  # another year
    "2024年弋江区新收行政复议案件多少件？",  # another place
    "镜湖区2024年GDP是多少？",  # an identifier the report lacks
    "镜湖区2024年行政诉讼案件的败诉率是多少？",  # a rate the report does not give
    "镜湖区区长叫什么名字？",  # a person the report does not name
    "2024年芜湖市全市新收行政复议案件多少件？",  # the city's total, where the report gives the district's
    "镜湖区2024年新收行政复议案件中涉企案件有多少件？",  # a part of a total the report gives whole
]


@pytest.mark.parametrize(("question", "figure"), ANSWERED)
def test_answers_carry_the_figure_and_an_exact_citation(
    all_engine: Engine, question: str, figure: str
) -> None:
    answer = all_engine.ask(question)
    assert not answer.refused, answer.answer
    assert figure in answer.answer
    assert answer.citations
    for citation in answer.citations:
        text = all_engine.texts[citation.report]
        assert text[citation.start : citation.end] == citation.text
        for start, end in citation.highlights:
            assert citation.start <= start < end <= citation.end
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)}
    assert markers == {c.n for c in answer.citations}
    cited = "".join(c.text for c in answer.citations)
    assert figure in cited, "every figure comes from a cited passage"


def test_a_list_question_is_answered_with_every_enumerated_item(all_engine: Engine) -> None:
    answer = all_engine.ask("镜湖区下一年度推进法治政府建设的主要安排有哪几个方面？")
    for item in ["着力提升依法行政能力", "着力完善行政决策程序", "着力优化法治化营商环境"]:
        assert item in answer.answer
    assert len(answer.citations) == 3


@pytest.mark.parametrize("question", REFUSED)
def test_questions_the_reports_do_not_answer_are_refused(all_engine: Engine, question: str) -> None:
    answer = all_engine.ask(question)
    assert answer.refused, answer.answer
    assert answer.citations == []
    assert "无法回答" in answer.answer


def test_every_figure_in_an_answer_occurs_in_a_cited_passage(all_engine: Engine) -> None:
    for question, _ in ANSWERED:
        answer = all_engine.ask(question)
        cited = "".join(c.text for c in answer.citations)
        for figure in re.findall(r"\d+(?:\.\d+)?%?", re.sub(r"\[\d+\]", "", answer.answer)):
            assert figure in cited


@pytest.mark.parametrize("mode", ["keyword", "dense", "hybrid"])
def test_each_retriever_finds_the_passage(all_engine: Engine, mode: str) -> None:
    hits = all_engine.retrieve("2024年全区新收行政复议案件多少件", top_k=5, mode=mode)  # type: ignore[arg-type]
    assert any("120件" in h.chunk.text for h in hits)


def test_search_can_be_limited_to_chosen_reports(all_engine: Engine) -> None:
    hits = all_engine.retrieve("行政复议", top_k=10, reports=["shenzhen-longhua-2019-fazhi"])
    assert hits
    assert {h.chunk.report for h in hits} == {"shenzhen-longhua-2019-fazhi"}
