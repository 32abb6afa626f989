"""Questions generated from report sentences, to train the answerability model (answer/
answerability.py): a sentence giving a figure becomes a question asking for it (answerable), and
the same question with its year, place, subject or kind of answer swapped becomes a near miss the
report does not answer.

Pure functions over a report's text, sections and metadata; deterministic for a given seed. The
training script (bench/train_answerability.py) reads the reports from an index and runs the
questions through the answer step.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from reportqa.answer.evidence import is_target, sentence_years
from reportqa.lang import zh
from reportqa.records import ReportInfo

# A clause that names a thing and then gives its figure: "地区生产总值增长5.2%", "新增城镇就业
# 63.8万人". The prefix is the thing asked; the figure with its unit is the answer.
_FIGURE_UNIT = (
    r"%|％|个百分点|[万亿千]?(?:元|人次|人|件|家|个|项|吨|公里|千米|亩|辆|所|座|次|户|套|台|条|场|"
    r"名|千瓦|标箱|平方米|立方米|艘|架|部|篇|张|头|只|株|棵|例|宗|起)|[万亿]"
)
_FIGURE_CLAUSE = re.compile(
    r"^(?P<prefix>[\u4e00-\u9fff“”]{4,18}?)"
    r"(?P<figure>\d+(?:\.\d+)?(?:余|多)?(?:" + _FIGURE_UNIT + r"))"
)
_CLAUSE_SPLIT = re.compile(r"[，,；;：:。！？、（）()]")
_LEAD_WORDS = re.compile(r"^(?:其中|同时|此外|另外|并且|并|以及|还|共|均|全年|当年|今年|去年)")
# Prefixes that are not a thing: a comparison, a change, a verb left alone.
_NOT_THING = re.compile(
    r"^(?:比|较|同比|环比|增长|下降|提高|分别|占|达|为|超|突破|其中|约|近|超过)"
)
_TRAILING_VERB = re.compile(
    r"(?:增长了?|提高了?|下降了?|达到了?|达|为|突破|超过|完成|实现|新增|减少)$"
)
# Places no indexed evaluation report is about, for place swaps (filtered against the index).
OTHER_PLACES = (
    "苏州市",
    "宁波市",
    "常州市",
    "台州市",
    "贵阳市",
    "成都市",
    "长沙市",
    "太原市",
    "柳州市",
    "克拉玛依市",
    "仙桃市",
    "大连市",
    "青岛市",
    "福州市",
    "昆明市",
    "兰州市",
    "西宁市",
    "呼和浩特市",
    "哈尔滨市",
    "长春市",
    "石家庄市",
    "郑州市",
    "洛阳市",
    "西安市",
    "珠海市",
    "佛山市",
    "东莞市",
    "南通市",
    "徐州市",
    "湖州市",
    "绵阳市",
    "株洲市",
    "襄阳市",
    "九江市",
    "泉州市",
    "大同市",
    "包头市",
    "唐山市",
    "保定市",
    "宝鸡市",
)
TRAPS = ("year", "place", "subject", "kind", "plan_vs_result")


@dataclass(frozen=True)
class Fact:
    """One figure a report gives: the thing (prefix), the figure, the year it is of, and whether
    it is a target."""

    report: str  # the report's file name, as the question files name it
    sentence: str
    prefix: str
    figure: str
    year: int
    target: bool

    @property
    def unit(self) -> str:
        """The unit asked with 多少 ("亿元" in 多少亿元); none for a percentage."""
        unit = re.sub(r"^\d+(?:\.\d+)?(?:余|多)?", "", self.figure)
        return "" if unit in ("%", "％", "个百分点") else unit

    @property
    def thing(self) -> str:
        """The prefix without a trailing verb: "地区生产总值" of "地区生产总值增长"."""
        return _TRAILING_VERB.sub("", self.prefix) or self.prefix


@dataclass(frozen=True)
class GeneratedQuestion:
    """A generated question in the schema of the evaluation's question files."""

    id: str
    question: str
    answer: str
    must_contain: tuple[str, ...]
    type: str  # "number" (answerable) or "unanswerable"
    report: str
    trap: str | None = None
    source: str = ""  # the sentence the question was made from

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["must_contain"] = list(self.must_contain)
        return data

    @property
    def answerable(self) -> bool:
        return self.type != "unanswerable"


def figure_clauses(sentence: str) -> list[tuple[str, str]]:
    """(thing, figure) for each clause of a sentence that names a thing and gives its figure."""
    found = []
    for clause in _CLAUSE_SPLIT.split(sentence):
        clause = _LEAD_WORDS.sub("", clause.strip())
        match = _FIGURE_CLAUSE.match(clause)
        if not match:
            continue
        prefix = match.group("prefix")
        if (
            "“" in prefix
            or "”" in prefix
            or len(prefix) < 4
            or _NOT_THING.match(prefix)
            or zh.YEAR.search(prefix)
        ):
            continue
        if re.search(r"[第比较约近超]$", prefix):
            continue  # "排名第", "比上年": not a thing with its figure
        found.append((prefix, match.group("figure")))
    return found


def fact_year(sentence: str, section: str, info: ReportInfo, target: bool) -> int | None:
    """The year a figure is of: the plan year for a target; else the one year the sentence names,
    else the year the report reviews."""
    delivered = info.delivered
    if target:
        return delivered
    own = sentence_years(sentence, info)
    if len(own) == 1:
        return next(iter(own))
    if own:
        return None  # several years: which one the figure is of is unclear
    if delivered is None:
        return None
    return delivered - 1 if "政府工作报告" in info.kind else max(info.years)


def facts_of(report: str, sentences: Iterable[tuple[str, str]], info: ReportInfo) -> list[Fact]:
    """The figures a report gives, from its (section, sentence) pairs, each once."""
    facts: list[Fact] = []
    seen: set[str] = set()
    for section, sentence in sentences:
        if zh.PERIOD.search(sentence) or len(sentence) > 400:
            continue  # a figure over several years, or a table flattened into one line
        target = is_target(sentence, section, info)
        year = fact_year(sentence, section, info, target)
        if year is None:
            continue
        for prefix, figure in figure_clauses(sentence):
            if prefix in seen:
                continue
            seen.add(prefix)
            facts.append(Fact(report, sentence, prefix, figure, year, target))
    return facts


def _place_forms(place: str) -> list[str]:
    stem = zh.strip_admin_suffix(place)
    return [place, stem] if stem and stem != place else [place]


def _ask(rng: random.Random, year: int, place: str, prefix: str, unit: str) -> str:
    """A figure question in one of the ways people ask it."""
    how = f"多少{unit}"
    verb_end = bool(_TRAILING_VERB.search(prefix))
    forms = [
        f"{year}年{place}{prefix}{how}？",
        f"{place}{year}年{prefix}{how}？",
        f"请问{year}年{place}{prefix}{how}？",
        f"{year}年，{place}{prefix}{how}？",
        f"{place}{year}年{prefix}有{how}？"
        if not verb_end
        else f"{place}{year}年{prefix}了{how}？",
        f"{year}年{place}的{prefix}是{how}？"
        if not verb_end
        else f"{year}年{place}{prefix}了{how}？",
    ]
    if place:
        forms.append(f"{year}年{prefix}{how}？")  # the place left to the report asked
    return rng.choice(forms)


def _ask_target(rng: random.Random, year: int, place: str, prefix: str, unit: str) -> str:
    thing = _TRAILING_VERB.sub("", prefix) or prefix
    how = f"多少{unit}"
    return rng.choice(
        [
            f"{year}年{place}{prefix}的目标是{how}？",
            f"{place}{year}年{thing}的预期目标是{how}？",
            f"{year}年{place}计划{prefix}{how}？",
            f"{place}{year}年{prefix}预期{how}？",
            f"{year}年{place}{thing}目标是{how}？",
        ]
    )


def positive(fact: Fact, place: str, rng: random.Random, qid: str) -> GeneratedQuestion:
    """The question the fact answers."""
    asked_place = rng.choice(_place_forms(place)) if place else ""
    ask = _ask_target if fact.target else _ask
    text = ask(rng, fact.year, asked_place, fact.prefix, fact.unit)
    return GeneratedQuestion(
        qid, text, fact.figure, (fact.figure,), "number", fact.report, None, fact.sentence
    )


def _mentions_together(text_sentences: Sequence[str], *parts: str) -> bool:
    return any(all(p in s for p in parts) for s in text_sentences)


def negative(
    fact: Fact,
    place: str,
    info: ReportInfo,
    report_sentences: Sequence[str],
    report_text: str,
    others: Sequence[Fact],
    other_places: Sequence[str],
    rng: random.Random,
    qid: str,
) -> GeneratedQuestion | None:
    """A near miss made from the fact: the same question about another year, another place,
    another thing, another kind of answer, or the result of a year only planned. None when no
    swap is safe (the report might answer it after all)."""
    core = fact.thing[-4:]
    traps = list(TRAPS)
    rng.shuffle(traps)
    asked_place = rng.choice(_place_forms(place)) if place else ""
    for trap in traps:
        text: str | None = None
        if trap == "year" and info.years:
            year = min(info.years) - rng.choice((2, 3))
            if not _mentions_together(report_sentences, f"{year}年", core):
                ask = _ask_target if fact.target else _ask
                text = ask(rng, year, asked_place, fact.prefix, fact.unit)
        elif trap == "place" and other_places:
            other = rng.choice(list(other_places))
            if zh.strip_admin_suffix(other) not in report_text:
                form = rng.choice(_place_forms(other))
                ask = _ask_target if fact.target else _ask
                text = ask(rng, fact.year, form, fact.prefix, fact.unit)
        elif trap == "subject":
            text = _subject_swap(fact, asked_place, report_text, others, rng)
        elif trap == "kind" and not fact.target:
            if not _mentions_together(report_sentences, core, "第") and not any(
                core in s and zh.RANK.search(s) for s in report_sentences
            ):
                text = rng.choice(
                    [
                        f"{fact.year}年{asked_place}{fact.thing}排名第几？",
                        f"{asked_place}{fact.year}年{fact.thing}在全国排第几？",
                        f"{fact.year}年{asked_place}{fact.thing}位列第几？",
                    ]
                )
        elif trap == "plan_vs_result" and fact.target:
            text = rng.choice(
                [
                    f"{fact.year}年{asked_place}{fact.thing}实际完成了多少{fact.unit}？",
                    f"{asked_place}{fact.year}年{fact.thing}实际{_verb(fact)}多少{fact.unit}？",
                ]
            )
        if text is not None:
            return GeneratedQuestion(qid, text, "", (), "unanswerable", fact.report, trap, "")
    return None


def _verb(fact: Fact) -> str:
    verb = _TRAILING_VERB.search(fact.prefix)
    return verb.group() if verb else "是"


def _subject_swap(
    fact: Fact, place: str, report_text: str, others: Sequence[Fact], rng: random.Random
) -> str | None:
    """The question about a neighbouring thing (出口 for 进口) or another report's thing, neither
    named in this report."""
    for asked, other in zh.CONTRASTS:
        if asked in fact.prefix and other not in fact.prefix:
            swapped = fact.prefix.replace(asked, other)
            if (
                swapped not in report_text
                and _TRAILING_VERB.sub("", swapped)[-4:] not in report_text
            ):
                ask = _ask_target if fact.target else _ask
                return ask(rng, fact.year, place, swapped, fact.unit)
    pool = [o for o in others if o.report != fact.report and o.thing[-4:] not in report_text]
    if not pool:
        return None
    borrowed = rng.choice(pool)
    ask = _ask_target if fact.target else _ask
    return ask(rng, fact.year, place, borrowed.prefix, borrowed.unit)


def generate(
    reports: Sequence[tuple[str, str, ReportInfo, list[tuple[str, str]]]],
    other_places: Sequence[str],
    seed: int = 0,
    per_report: int = 40,
) -> list[GeneratedQuestion]:
    """Questions for each (file name, text, metadata, (section, sentence) pairs): up to
    `per_report` facts a report, each giving one answerable question and one near miss."""
    rng = random.Random(seed)
    all_facts = {name: facts_of(name, pairs, info) for name, _, info, pairs in reports}
    pooled = [f for facts in all_facts.values() for f in facts]
    questions: list[GeneratedQuestion] = []
    for name, text, info, pairs in reports:
        facts = all_facts[name]
        chosen = sorted(rng.sample(range(len(facts)), min(per_report, len(facts))))
        place = info.places[-1] if info.places else ""
        sentences = [s for _, s in pairs]
        places = [p for p in other_places if zh.strip_admin_suffix(p) not in text]
        stem = name.rsplit(".", 1)[0]
        for n, i in enumerate(chosen):
            fact = facts[i]
            ask_place = place if rng.random() < 0.85 else ""
            questions.append(positive(fact, ask_place, rng, f"gen-{stem}-{n:03d}p"))
            near = negative(
                fact, place, info, sentences, text, pooled, places, rng, f"gen-{stem}-{n:03d}n"
            )
            if near is not None:
                questions.append(near)
    return questions


def with_fallback_years(info: ReportInfo, file_name: str) -> ReportInfo:
    """A report whose years were not detected, read as the work report it is named for: a city's
    2024 report (.docx of the corpus) reviews 2023 and plans 2024."""
    if info.years:
        return info
    if file_name.endswith(".docx"):
        return replace(info, years=(2023, 2024), kind=info.kind or "政府工作报告")
    return info
