"""Follow-up questions are rewritten from the previous turn; standalone questions are left alone."""

import pytest

from reportqa.answer.followup import (
    Understood,
    contextualize,
    is_elliptical,
    split_topic,
    understand,
)

PREVIOUS = "2024年全区新收行政复议案件多少件？"
WITH_PLACE = "2024年镜湖区全区新收行政复议案件多少件？"


def test_year_swap() -> None:
    assert contextualize("那2023年呢？", PREVIOUS) == "2023年全区新收行政复议案件多少件？"


def test_year_swap_without_particle_or_mark() -> None:
    assert contextualize("2023年呢", PREVIOUS) == "2023年全区新收行政复议案件多少件？"


def test_place_swap() -> None:
    assert contextualize("那光明区呢？", WITH_PLACE) == "2024年光明区全区新收行政复议案件多少件？"


def test_place_and_year_swap_together() -> None:
    assert contextualize("那么龙华区2019年呢？", WITH_PLACE) == (
        "2019年龙华区全区新收行政复议案件多少件？"
    )


def test_year_added_when_previous_had_none() -> None:
    assert contextualize("那2023年呢？", "码上知节省了多少选址时间？") == (
        "2023年码上知节省了多少选址时间？"
    )


def test_part_of_previous_topic() -> None:
    rewritten = contextualize("其中调解结案多少件？", PREVIOUS)
    assert rewritten == "2024年全区新收行政复议案件中调解结案多少件？"


def test_new_aspect_of_previous_topic() -> None:
    rewritten = contextualize("那么调解率是多少？", PREVIOUS)
    assert rewritten == "2024年全区新收行政复议案件，调解率是多少？"


def test_ne_question_with_new_content_keeps_the_previous_ask() -> None:
    assert contextualize("那办结呢？", PREVIOUS) == "2024年全区新收行政复议案件，办结多少件？"


def test_long_follow_up_inherits_only_the_scope() -> None:
    rewritten = contextualize("另外，法治宣传教育开展了哪些活动？", WITH_PLACE)
    assert rewritten == "2024年镜湖区法治宣传教育开展了哪些活动？"


@pytest.mark.parametrize(
    "question",
    [
        "2023年全区新收行政复议案件多少件？",
        "光明区2021年行政复议案件多少件？",
        "厦门市2024年地区生产总值增长多少？",
        "全区法治宣传教育开展了哪些主要活动？",
    ],
)
def test_standalone_questions_are_unchanged(question: str) -> None:
    assert not is_elliptical(question)
    assert contextualize(question, PREVIOUS) == question


def test_demonstrative_is_not_a_particle() -> None:
    # "那些" is content ("those"), not the particle "那" ("then"); the question stands alone.
    question = "那些行政复议案件中有多少件调解结案的行政复议案件？"
    assert not is_elliptical(question)


def test_first_question_is_unchanged() -> None:
    assert contextualize("那2023年呢？", None) == "那2023年呢？"
    assert contextualize("那2023年呢？", "  ") == "那2023年呢？"


def test_empty_question_is_unchanged() -> None:
    assert contextualize("", PREVIOUS) == ""


@pytest.mark.parametrize(
    "question",
    [
        "那2023年呢？",
        "其中调解结案多少件？",
        "另外呢",
        "办结呢？",
        "多少件？",
        "那么调解率是多少？",
    ],
)
def test_elliptical_questions_are_detected(question: str) -> None:
    assert is_elliptical(question)


def test_split_topic() -> None:
    assert split_topic(PREVIOUS) == ("2024年全区新收行政复议案件", "多少件？")
    assert split_topic("专项资金是多少？") == ("专项资金", "是多少？")
    assert split_topic("介绍一下码上知") == ("介绍一下码上知", "？")


def test_chained_follow_ups() -> None:
    first = contextualize("那2023年呢？", PREVIOUS)
    assert contextualize("那2022年呢？", first) == "2022年全区新收行政复议案件多少件？"


def test_short_question_with_its_own_subject_stands_alone() -> None:
    # After a 厦门 question, "码上知是什么？" is a new question, not "2024年厦门市码上知是什么？".
    assert contextualize("码上知是什么？", "厦门市2024年地区生产总值增长多少？") == "码上知是什么？"


@pytest.mark.parametrize("greeting", ["你好", "谢谢", "你好！"])
def test_greetings_are_left_alone(greeting: str) -> None:
    assert not is_elliptical(greeting)
    assert contextualize(greeting, PREVIOUS) == greeting


def test_pronoun_is_resolved_to_the_previous_subject() -> None:
    assert contextualize("它是哪个部门推出的？", "码上知是什么？") == "码上知是哪个部门推出的？"
    assert contextualize("其主要做法有哪些？", "码上知是什么？") == "码上知主要做法有哪些？"


def test_other_words_starting_with_qi_are_not_pronouns() -> None:
    assert not is_elliptical("其他区县的行政复议案件多少件？")
    assert not is_elliptical("全区其它行政复议案件多少件？")


def test_a_chain_of_follow_ups_never_merges_more_than_the_previous_turn() -> None:
    first = understand(PREVIOUS, None)
    second = understand("那办结呢？", first)
    assert second.question == "2024年全区新收行政复议案件，办结多少件？"
    third = understand("那调解结案呢？", second)
    assert third.question == "2024年全区新收行政复议案件，调解结案多少件？"
    fourth = understand("其中调解率是多少？", third)
    assert fourth.question == "2024年全区新收行政复议案件中调解率是多少？"
    assert "办结" not in fourth.question and fourth.rewritten


def test_year_swap_after_a_follow_up_keeps_the_previous_meaning() -> None:
    second = understand("那办结呢？", understand(PREVIOUS, None))
    assert understand("那2023年呢？", second).question == "2023年全区新收行政复议案件，办结多少件？"


def test_standalone_question_is_not_marked_rewritten() -> None:
    result = understand("码上知是什么？", understand(PREVIOUS, None))
    assert result == Understood("码上知是什么？", "码上知", False)
