"""The verifier on hand-written good and bad answers."""

from __future__ import annotations

from reportqa.generate.verify import figures, occurs, sentences, verify

PASSAGES = [
    "《镜湖区2024年法治政府建设年度报告》\n2024年全区新收行政复议案件120件，审结115件，"
    "调解结案率达50.6%。",
    "《镜湖区2024年法治政府建设年度报告》\n全年开展法治宣传活动三十余场，覆盖群众1.2万人次。",
]


def test_a_sound_answer_passes() -> None:
    answer = "2024年全区新收行政复议案件120件[1]。调解结案率达50.6%[1]，宣传覆盖1.2万人次[2]。"
    assert verify(answer, PASSAGES) == (True, [])


def test_a_citation_after_the_full_stop_belongs_to_its_sentence() -> None:
    assert verify("全区新收行政复议案件120件。[1] 审结115件。[1]", PASSAGES) == (True, [])


def test_a_changed_figure_is_rejected() -> None:
    ok, problems = verify("2024年全区新收行政复议案件150件[1]。", PASSAGES)
    assert not ok
    assert problems == [problems[0]] and "150件" in problems[0]


def test_a_changed_unit_or_a_partial_number_is_rejected() -> None:
    assert not verify("新收行政复议案件120万件[1]。", PASSAGES)[0]
    assert not verify("调解结案率达0.6%[1]。", PASSAGES)[0]
    assert not verify("新收行政复议案件12件[1]。", PASSAGES)[0]


def test_a_figure_from_a_passage_the_sentence_does_not_cite_is_rejected() -> None:
    ok, problems = verify("宣传覆盖1.2万人次[1]。", PASSAGES)
    assert not ok and "1.2万" in problems[0]


def test_a_citation_to_a_passage_not_given_is_rejected() -> None:
    ok, problems = verify("新收行政复议案件120件[3]。", PASSAGES)
    assert not ok
    assert any("[3]" in p for p in problems)


def test_a_sentence_without_citation_is_flagged() -> None:
    ok, problems = verify("新收行政复议案件120件[1]。这体现了法治建设的显著成效。", PASSAGES)
    assert not ok
    assert problems == ["sentence cites no passage: 这体现了法治建设的显著成效。"]


def test_the_no_answer_reply_is_sound_and_an_empty_one_is_not() -> None:
    assert verify("报告中没有相关内容。", PASSAGES) == (True, [])
    assert verify("   ", PASSAGES) == (False, ["empty answer"])


def test_figures_and_sentences() -> None:
    assert figures("2024年新收120件[1]，占比50.6 ％[2]，三十余场") == [
        "2024年",
        "120件",
        "50.6%",
    ]
    assert figures("开展三项活动") == ["三项"]
    assert occurs("115件", PASSAGES[0]) and not occurs("15件", PASSAGES[0])
    assert sentences("甲[1]。乙；[2]丙？") == ["甲[1]。", "乙；[2]", "丙？"]
