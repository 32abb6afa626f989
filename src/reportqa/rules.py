"""Which of the general answer rules are on: all of them, unless `REPORTQA_RULES_OFF` names some
(comma-separated), which is how the README measures what each rule adds to the evaluation scores.

- places: autonomous regions by their everyday names (广西), a province framing a city's rank, the
  most specific place a question names chooses the report, the indexed places known as places;
- metadata: a bare place at the report's own level (东营 -> 东营市), years from "2023年政府工作回顾";
- time: a year with its own figure is not in passing, a relative year compared with is not asked,
  target wordings (要控制在), items of a list of targets are targets;
- period: a figure over several years does not answer for one year;
- subject: neighbouring subjects (进口/出口) and the qualifier of the thing asked;
- amount: an amount asked must stand with the thing asked;
- two_questions: a question asking two things is answered part by part;
- wording: more chit-chat, question words (是指, 说的) and announced lists (重点做好八方面工作);
- plan_wording: any 要 + verb asks for a target (要突破, 要攒到), and "预期目标建议为：" leads a list
  of targets;
- report_names: a sentence's indicators read under the names reports print on both sides ("GDP" in
  a sentence covers 生产总值 asked), hedges (大概, 大约) are question words, and everyday names of
  standard indicators (能活到多少岁 -> 人均预期寿命, 收了多少税 -> 税收收入);
- growth: a growth asked (增长了多少) is not answered by an amount alone;
- qualified: the thing asked is not a qualified kind of it (人均/海洋生产总值 for 生产总值), nor a
  compound holding its name (进出口 for 出口).

Beside the rules, `deep_reading` (answer/settings.py): when the best passages give no answer the
answer step reads the passages ranked next, and seeks a paraphrase's answer in all the passages it
reads first rather than the best three.
"""

from __future__ import annotations

import os

RULES = (
    "places",
    "metadata",
    "time",
    "period",
    "subject",
    "amount",
    "two_questions",
    "wording",
    "plan_wording",
    "report_names",
    "growth",
    "qualified",
)
OFF = frozenset(r.strip() for r in os.environ.get("REPORTQA_RULES_OFF", "").split(",") if r.strip())
# The learned answer/refuse decision (answer/answerability.py) is switched off like a rule.
LEARNED = ("answerability",)
# How deep the answer step reads (answer/settings.py) is switched off like a rule, too.
READING = ("deep_reading",)


def on(rule: str) -> bool:
    """Whether a rule is on (read once, when the process starts)."""
    assert rule in RULES or rule in LEARNED or rule in READING, rule
    return rule not in OFF
