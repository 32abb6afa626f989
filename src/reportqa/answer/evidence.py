"""Evidence checks: can this sentence answer this question? Pure functions, one per thing checked.

Each check looks at the question's facts, one candidate sentence, its section path and its report,
and passes or fails with a reason a reader understands. The answer step takes the first sentence
that passes them all; a refusal names the first failed check of the best sentence, and `--json`
lists every check, so a refusal can be explained.

Unknown is not wrong: a report whose place or year could not be detected never fails the place or
year check for lack of that knowledge.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from reportqa import rules
from reportqa.answer.question import QuestionFacts, jieba_posseg
from reportqa.lang import zh
from reportqa.records import ReportInfo


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    reason: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"check": self.name, "passed": self.passed} | (
            {"reason": self.reason} if self.reason else {}
        )


def sentence_years(sentence: str, report: ReportInfo) -> set[int]:
    """Years a sentence itself is about: its own years (including 去年/今年 resolved against the
    report), minus years named only in passing ("较2019年同期", "2018年曾获")."""
    own = zh.years_in(sentence) | zh.relative_years(sentence, report.delivered)
    passing = zh.passing_years(sentence)
    return own - passing if own - passing else set()


def evidence_years(sentence: str, section: str, report: ReportInfo) -> set[int]:
    """Years a sentence speaks of. A sentence with no year speaks of its section's or report's.

    A year earlier than the report covers ("较2023年增长") is a comparison base, so the report's
    own years still apply to the sentence.
    """
    found = sentence_years(sentence, report) | sentence_years(section, report)
    if not found or (report.years and max(found) < min(report.years)):
        found |= set(report.years)
    return found


def asked_years(facts: QuestionFacts, report: ReportInfo) -> list[int]:
    """The years the question asks about, 去年/今年 resolved against this report."""
    years = list(facts.years)
    if report.delivered is not None:
        years += [report.delivered + offset for offset in facts.relative_years]
    return sorted(set(years))


def check_year(facts: QuestionFacts, sentence: str, section: str, report: ReportInfo) -> Check:
    asked = asked_years(facts, report)
    if not asked or (not report.years and not zh.years_in(sentence + section)):
        return Check("year", True)  # nothing asked, or nothing known to contradict it
    given = evidence_years(sentence, section, report)
    # "自2022年…以来" asked, "自2022年…以来" given: the same year in the same role
    in_passing = zh.passing_years(sentence) & set(facts.passing_years)
    missing = [y for y in asked if y not in given and y not in in_passing]
    if missing:
        return Check("year", False, f"报告中没有{missing[0]}年的相关内容")
    return Check("year", True)


_LEAD_WINDOW = 300  # characters before a sentence in which its lead-in is sought


def with_target_lead(text: str, start: int, end: int) -> str:
    """The sentence `text[start:end]`, led by the lead-in that makes it a target when it is one
    item of a list of targets ("主要预期目标是：…；新增城镇就业10.3万人，…；"), else as it is."""
    lead = period_lead(text, start) if rules.on("period") else ""
    if not rules.on("time"):
        return lead + text[start:end]
    window = max(0, start - _LEAD_WINDOW)
    opening = max(max(text.rfind(mark, window, start) for mark in "。！？\n") + 1, window)
    leads = list(zh.TARGET_LEAD.finditer(text, opening, start))
    if not leads:
        return lead + text[start:end]
    return lead + text[opening : leads[-1].end()] + text[start:end]


def period_lead(text: str, start: int) -> str:
    """The sentence that names a period of several years for the sentence at `start`: the opening
    of its paragraph, or the sentence just before it, when that sentence is about the period and
    holds no figure of its own ("这五年，是跨越发展的五年。", "五年来，我们砥砺前行。"). What
    follows speaks of that period, not of one year. Empty when there is none."""
    window = max(0, start - _LEAD_WINDOW)
    paragraph = text.rfind("\n", window, start) + 1
    if paragraph == 0 and window > 0:
        paragraph = -1  # the paragraph began before the window: only the previous sentence
    previous_end = text.rfind("。", window, start)
    previous_start = max(text.rfind("。", window, previous_end) + 1, paragraph, window)
    found = []
    if paragraph >= 0 and (first_end := text.find("。", paragraph, start)) >= 0:
        found.append(text[paragraph : first_end + 1])
    if previous_end >= 0 and previous_start < previous_end:
        found.append(text[previous_start : previous_end + 1])
    for lead in found:
        if zh.PERIOD.search(lead) and not zh.ARABIC_FIGURE.search(lead):
            return lead
    return ""


def is_target(sentence: str, section: str, report: ReportInfo | None = None) -> bool:
    """Whether a sentence states a target or plan rather than a result. In a 政府工作报告, what is
    said of the year it is delivered in (今年, its 2026年工作 section) has not happened yet."""
    if re.search(r"预期|力争|目标", sentence):
        return True
    if (
        report is not None
        and "政府工作报告" in report.kind
        and report.delivered is not None
        and evidence_years(sentence, section, report) == {report.delivered}
    ):
        return True
    return bool(
        zh.PLAN_SECTION.search(section.split(" > ")[0]) and zh.TARGET_SENTENCE.search(sentence)
    )


def check_time_kind(facts: QuestionFacts, sentence: str, section: str, report: ReportInfo) -> Check:
    """A target is not a result: "2026年GDP增长目标" wants the plan, "2026年GDP实际增长" a result the
    2026 report cannot give yet."""
    if not facts.wants_figure:
        return Check("target_or_result", True)
    target = is_target(sentence, section, report)
    if facts.asks_target and not facts.asks_result and not target:
        return Check("target_or_result", False, "报告中没有给出相应的目标")
    delivered = report.delivered if "政府工作报告" in report.kind else None
    plan_year = delivered is not None and delivered in asked_years(facts, report)
    if plan_year and target and not facts.asks_target:
        return Check("target_or_result", False, f"报告只给出{delivered}年的目标，没有实际完成情况")
    if (
        plan_year
        and facts.asks_result
        and not facts.asks_target
        and rules.on("plan_wording")
        and delivered not in sentence_years(sentence, report)
    ):
        # "2024年…实际增长了多少" of a report delivered early in 2024: what it reports as done is
        # the year before, unless the sentence itself dates it in 2024
        return Check("target_or_result", False, f"报告只给出{delivered}年的目标，没有实际完成情况")
    asked = asked_years(facts, report)
    if (
        rules.on("plan_wording")
        and delivered is not None
        and asked
        and max(asked) < delivered
        and not facts.asks_target
        and zh.TARGET_LEAD.search(sentence)
    ):
        # an item of "主要预期目标是：…" plans the year of delivery, whatever the section says
        return Check(
            "target_or_result", False, f"报告中这是{delivered}年的目标，不是{asked[0]}年的结果"
        )
    if (
        rules.on("plan_wording")
        and not asked
        and not facts.asks_target
        and not zh.ASKS_PERIOD.search(facts.text)
        and states_plan(sentence, section)
    ):
        # "贵州人现在平均能活到多少岁": no year and no target asked wants what has been achieved,
        # not the "十五五" goal ("人均预期寿命提高到78岁左右")
        return Check("target_or_result", False, "报告中只有规划目标，没有实际达到的数字")
    return Check("target_or_result", True)


def states_plan(sentence: str, section: str) -> bool:
    """Whether a sentence plainly states a plan: an item of "主要预期目标是：…", or a target
    wording (左右, 以上, 力争) under a section planning ahead ("二、“十五五”时期主要目标任务"). Unlike
    `is_target`, a name holding 预期 (人均预期寿命) does not count."""
    return bool(
        zh.TARGET_LEAD.search(sentence)
        or (zh.PLAN_SECTION.search(section.split(" > ")[0]) and zh.TARGET_SENTENCE.search(sentence))
    )


def place_known(place: str, haystacks: list[str], report: ReportInfo) -> bool:
    if any(place in h for h in haystacks):
        return True
    if not report.places:
        return True  # the report's place is unknown: it cannot be ruled out
    stem = zh.strip_admin_suffix(place)
    return any(stem in p or p in place for p in report.places)


def check_place(facts: QuestionFacts, sentence: str, section: str, report: ReportInfo) -> Check:
    context = [sentence, section, report.title]
    known = [p for p in facts.places if place_known(p, context, report)]
    for place in facts.places:
        if place in known:
            continue
        # "芜湖市镜湖区": a higher-level place named with a known one is the unit that contains it.
        level = zh.admin_level(place)
        if level == "省" and rules.on("places") and any(zh.admin_level(k) != "省" for k in known):
            continue  # "临沂…在山东排第几": the province frames a city's ranking
        if level is not None and any(
            (lower := zh.admin_level(k)) is not None
            and zh.ADMIN_LEVELS[lower] > zh.ADMIN_LEVELS[level]
            for k in known
        ):
            continue
        return Check("place", False, f"报告中没有关于{place}的相关内容")
    return Check("place", True)


def check_identifiers(
    facts: QuestionFacts, sentence: str, section: str, report: ReportInfo
) -> Check:
    for ident in facts.identifiers:
        if not zh.same_indicator(ident, sentence + section):
            return Check("identifier", False, f"报告中没有提到“{ident.upper()}”")
    return Check("identifier", True)


def scopes(text: str) -> list[str]:
    return list(dict.fromkeys(zh.SCOPE.findall(text)))


def report_scope(report: ReportInfo) -> str | None:
    """The scope a report's own figures cover: "全区" for a district's report."""
    levels = []
    for place in report.places:
        suffix = zh.admin_level(place)
        if suffix is not None and len(suffix) == 1:
            levels.append((zh.ADMIN_LEVELS[suffix], suffix))
    return f"全{max(levels)[1]}" if levels else None


def scope_conflict(question: str, sentence: str, section: str, report: ReportInfo) -> str | None:
    """The evidence's administrative scope when it differs from the one the question asks about.

    A sentence that names no scope speaks for its section's, else for its report's.
    """
    asked = set(scopes(question))
    if not asked:
        return None
    own = report_scope(report)
    given = scopes(sentence) or scopes(section) or ([own] if own else [])
    if given and not asked & set(given):
        return given[0]
    return None


def check_scope(facts: QuestionFacts, sentence: str, section: str, report: ReportInfo) -> Check:
    scope = scope_conflict(facts.text, sentence, section, report)
    if scope:
        return Check("scope", False, f"报告只给出{scope}的数字，没有{scopes(facts.text)[0]}的")
    return Check("scope", True)


def check_part(facts: QuestionFacts, sentence: str, section: str, report: ReportInfo) -> Check:
    if facts.subset and facts.subset not in sentence:
        return Check("part_of_whole", False, f"报告中没有单独给出“{facts.subset}”的数字")
    return Check("part_of_whole", True)


def measure_named(measure: str, sentence: str) -> bool:
    """Whether a sentence names the measure asked: 败诉率 as 败诉率, or as 败诉…比例/占比/比重;
    授权量 as 授权量 (a 拥有量 is another count)."""
    if measure in sentence:
        return True
    if measure.endswith(("量", "额")):
        # what is counted, next to the counter: 产量 in 粮食总产量, not in 销量
        return measure[-2:] in sentence
    stem = measure[:-1]
    if measure.endswith("率"):
        return (
            re.search(re.escape(stem) + r"[\u4e00-\u9fff]{0,4}?(?:比例|占比|比重)", sentence)
            is not None
        )
    return False


def check_measure(facts: QuestionFacts, sentence: str, section: str, report: ReportInfo) -> Check:
    if facts.measure and not measure_named(facts.measure, sentence):
        return Check("measure", False, f"报告中没有给出{facts.measure}")
    return Check("measure", True)


def answer_kind(question: str) -> str | None:
    """The kind of figure asked for: "share", "rank", "date", or None for any figure."""
    if zh.ASKS_RANK.search(question):
        return "rank"
    if zh.ASKS_DATE.search(question):
        return "date"
    if zh.ASKS_SHARE.search(question):
        return "share"
    return None


def check_answer_kind(
    facts: QuestionFacts, sentence: str, section: str, report: ReportInfo
) -> Check:
    kind = answer_kind(facts.text) if facts.wants_figure else None
    if kind == "rank" and zh.RANK.search(sentence):
        return Check("answer_kind", True)  # "位列第一" is a rank without a counted figure
    if facts.wants_figure and not zh.FIGURE.search(sentence):
        return Check("answer_kind", False, "报告中没有给出相应的数字")
    counter = zh.ASKED_COUNTER.search(facts.text) if facts.wants_figure else None
    # 个 is the classifier for anything ("多少个罐子" is answered by "493只"): not checked
    if (
        counter
        and kind is None
        and counter.group(1) != "个"
        and not zh.has_count_in(sentence, counter.group(1))
    ):
        return Check("answer_kind", False, f"报告中没有给出以“{counter.group(1)}”计的数字")
    if kind == "share" and not zh.PERCENT.search(sentence):
        return Check("answer_kind", False, "报告中没有给出相应的比例")
    if kind == "rank" and not zh.RANK.search(sentence):
        return Check("answer_kind", False, "报告中没有给出相应的排名")
    if kind == "date" and not zh.DATE.search(sentence):
        return Check("answer_kind", False, "报告中没有给出相应的日期")
    if facts.wants_person and not any(f == "nr" for _, f in jieba_posseg().cut(sentence)):
        return Check("answer_kind", False, "报告中没有提到相关人员的姓名")
    return Check("answer_kind", True)


def check_period(facts: QuestionFacts, sentence: str, section: str, report: ReportInfo) -> Check:
    """A figure over several years (年均增长5.7%, 累计, 五年来) does not answer a question about
    one year's figure; a question naming the period (年均, 五年, 十四五) asks for it."""
    if (
        rules.on("period")
        and facts.wants_figure
        and zh.PERIOD.search(sentence)
        and not zh.ASKS_PERIOD.search(facts.text)
        # a sentence naming the year asked speaks of that year ("2024年…累计办结612件")
        and not sentence_years(sentence, report) & set(asked_years(facts, report))
    ):
        return Check("period", False, "报告中只有多年累计或年均的数字")
    return Check("period", True)


def contrasted(question: str, sentence: str) -> tuple[str, str] | None:
    """The pair (asked, given) when the sentence speaks of the neighbour of what is asked: 出口
    where 进口 is asked, 农村居民 where 城镇居民 is asked. None when it does not."""
    asked_text = zh.CONTRAST_COMPOUNDS.sub("", question)
    given_text = zh.CONTRAST_COMPOUNDS.sub("", sentence)
    for asked, other in zh.CONTRASTS:
        if asked not in asked_text or other in asked_text:
            continue
        if other in given_text and asked not in given_text:
            if any(w in given_text and asked in both for w, both in zh.COVERS_BOTH.items()):
                continue
            return asked, other
    return None


def check_contrast(facts: QuestionFacts, sentence: str, section: str, report: ReportInfo) -> Check:
    pair = contrasted(facts.text, sentence) if rules.on("subject") else None
    if pair:
        return Check("subject", False, f"报告中只有“{pair[1]}”的数字，没有“{pair[0]}”的")
    return Check("subject", True)


_CLAUSE = re.compile(r"[，,；;。：:]")
_ASK_AT = re.compile(r"(?:是|有|为|共|一共|达到|达|约|增长了?|提高了?)?(?:多少|几)")
# An amount (亿元, 万吨) asked where a sentence may give only a growth rate or a rank.
_AMOUNT_UNITS = "元万亿吨"
_TOTAL = re.compile(r"(?:总额|总量|总数)$")  # 投资总额 names 投资
# Words next to the thing asked that do not name it.
_NOT_HEAD = re.compile(r"^(?:总额|总量|总数|数量|规模|实际|目标|年|全年|当年|今年|去年)$")


@lru_cache(maxsize=1024)
def asked_thing(question: str) -> tuple[str, ...]:
    """The last one or two words naming the thing whose figure is asked, read in the clause that
    asks, by the names reports print: ("民间", "投资") in "2023年民间投资总额是多少亿元",
    ("社会消费品零售总额",) in "社零是多少"; () when no noun precedes the ask."""
    question = zh.with_report_names(question)
    ask = _ASK_AT.search(question)
    if not ask:
        return ()
    before = re.split(r"[，,；;]", question[: ask.start()])[-1]
    before = zh.RELATIVE_YEAR.sub("", zh.YEAR_WITH_SUFFIX.sub("", before))
    words = [
        _TOTAL.sub("", w) if len(w) > 3 else w
        for w, flag in jieba_posseg().cut(before)
        if (flag.startswith("n") or flag in ("vn", "l"))
        and flag not in ("ns", "nr")
        and len(w) >= 2
    ]
    words = [w for w in words if not _NOT_HEAD.match(w)]
    return tuple(words[-2:])


def asked_head(question: str) -> tuple[str, ...]:
    """The thing whose amount is asked, when the figure is asked in a unit of amount ("多少亿元",
    "多少万吨"): ("进出口",) in "货物贸易进出口总额是多少亿元"; () otherwise."""
    counter = zh.ASKED_COUNTER.search(question)
    if not counter or counter.group(1) not in _AMOUNT_UNITS:
        return ()
    return asked_thing(question)


def check_figure_of_subject(
    facts: QuestionFacts, sentence: str, section: str, report: ReportInfo
) -> Check:
    """A figure in the unit asked must stand with the thing asked: "进出口总额增长10.2%" gives a
    growth rate, so "进出口总额是多少亿元" is not answered by the 亿元 figure of another clause, nor
    by a sentence that does not name 进出口 at all. A thing named only as the whole a share is
    taken of ("研发经费支出相当于全市生产总值的比例") is not the thing the figure measures."""
    if not facts.wants_figure or not rules.on("amount"):
        return Check("figure_of_subject", True)
    thing = asked_thing(facts.text)
    if thing and answer_kind(facts.text) != "share":
        whole = re.compile(
            r"(?:占|相当于)[^，。；;]{0,12}?"
            + re.escape(thing[-1])
            + r"[^，。；;]{0,4}?(?:比例|比重)"
        )
        if whole.search(sentence) and sentence.count(thing[-1]) == 1:
            return Check("figure_of_subject", False, f"报告中只有占{thing[-1]}的比例")
    head = asked_head(facts.text)
    if not head:
        return Check("figure_of_subject", True)
    counter = zh.ASKED_COUNTER.search(facts.text)
    assert counter is not None  # asked_head found one
    if head[-1] not in sentence and head[-1] not in section:
        # the thing itself (投资 of 工业投资) is not named: "百亿级工业项目" is not an amount of it
        return Check("figure_of_subject", False, f"报告中没有给出{''.join(head)}的数字")
    if not all(w in sentence for w in head):
        return Check("figure_of_subject", True)  # named in part: a paraphrase, judged elsewhere
    clauses = _CLAUSE.split(sentence)
    if any(
        all(w in clause for w in head) and zh.has_count_in(clause, counter.group(1))
        for clause in clauses
    ):
        return Check("figure_of_subject", True)
    return Check(
        "figure_of_subject", False, f"报告中没有给出{''.join(head)}以“{counter.group(1)}”计的数字"
    )


# Words that qualify a thing without changing what it is: the whole area, the year, the usual
# statistical scope (全省生产总值 is the 地区生产总值 asked).
_PLAIN_MODIFIERS = re.compile(
    r"^(?:地区|全省|全市|全区|全县|全州|全国|全社会|全年|当年|年度|主要|规上|规模以上|实际|平均|总体|"
    r"整体|累计|新增|人均|居民|城乡|相关|各类|全部|本地|当地|社会)$"
)


def check_modifier(facts: QuestionFacts, sentence: str, section: str, report: ReportInfo) -> Check:
    """The thing asked with the word that qualifies it: "规上工业企业营业收入" is not answered by
    "规上科学研究和技术服务业营业收入". Applies when the sentence names the thing (营业收入) but not
    its qualifier (企业), and the qualifier is not one that leaves the thing the same."""
    if not facts.wants_figure or not rules.on("subject"):
        return Check("modifier", True)
    thing = asked_thing(facts.text)
    if len(thing) < 2:
        return Check("modifier", True)
    qualifier, head = thing
    if qualifier + head not in zh.with_report_names(facts.text):
        return Check("modifier", True)  # not one compound: "人员…去法院" qualifies nothing
    if _PLAIN_MODIFIERS.match(qualifier) or head not in sentence:
        return Check("modifier", True)
    if qualifier in sentence or qualifier in section or qualifier in report.title:
        return Check("modifier", True)
    return Check("modifier", False, f"报告中的{head}不是“{qualifier}”的{head}")


def asks_growth(question: str) -> bool:
    """Whether a question asks for a growth or change ("增长了多少", "多了多少", "增速")."""
    return bool(zh.ASKS_GROWTH.search(question)) and answer_kind(question) is None


def check_growth(facts: QuestionFacts, sentence: str, section: str, report: ReportInfo) -> Check:
    """A growth asked is answered by a growth, not by an amount: "实际利用外资增长了多少" is not
    answered by "实际利用外资10.6亿美元". When the sentence names the thing asked, the clause naming
    it must hold the change; else any clause may."""
    if not facts.wants_figure or not rules.on("growth") or not asks_growth(facts.text):
        return Check("growth", True)
    clauses = [c for c in _CLAUSE.split(sentence) if c]
    thing = asked_thing(facts.text)
    # the clause naming the thing, or the one after it ("增速快于全省，全年增长7.8%")
    naming = [
        " ".join(clauses[i : i + 2])
        for i, c in enumerate(clauses)
        if thing and thing[-1] in zh.with_report_names(c)
    ]
    if any(zh.GROWTH_FIGURE.search(c) for c in naming or clauses):
        return Check("growth", True)
    return Check("growth", False, "报告中只有总量，没有给出增长情况")


# Words before a thing that leave it the same thing (全市地区生产总值 is the 地区生产总值 asked);
# unlike the question's own qualifiers, 人均 and 平均 make another figure.
_SAME_THING = re.compile(
    r"^(?:地区|全省|全市|全区|全县|全州|全社会|全年|当年|年度|主要|规上|规模以上|实际|总体|整体|"
    r"本地|当地|社会|(?:我|本|全)[省市区县州])$"
)


@lru_cache(maxsize=4096)
def tagged(sentence: str) -> tuple[tuple[str, str], ...]:
    """The sentence's words with their parts of speech (cached: candidates repeat per question)."""
    return tuple((w, f) for w, f in jieba_posseg().cut(sentence))


def qualified_as(core: str, sentence: str, facts: QuestionFacts, report: ReportInfo) -> str | None:
    """The qualifier that makes every mention of `core` in the sentence another thing than the one
    asked ("人均" in 人均地区生产总值, "海洋" in 海洋生产总值, "工业" in 工业投资 when 固定资产投资 is
    asked), or None when one mention is the thing itself."""
    named = zh.with_report_names(sentence)
    if core not in named:
        return None
    asked = zh.with_report_names(facts.text)
    places = set(facts.places) | set(report.places)
    words = tagged(named)
    qualifiers: list[str] = []
    for i, (word, _flag) in enumerate(words):
        if not word.endswith(core):
            continue
        prefix = word[: -len(core)]
        if prefix and not _SAME_THING.match(prefix):
            # a word holding the thing asked ("工业税收"): its front qualifies it when it is a
            # noun of its own ("全面排查" is an adverb and a verb)
            previous: tuple[str, str] | None = (
                prefix,
                [f for _, f in jieba_posseg().cut(prefix)][-1] if len(prefix) >= 2 else "d",
            )
        else:
            j = i - 1
            while j >= 0 and _SAME_THING.match(words[j][0]):
                j -= 1
            previous = words[j] if j >= 0 else None
        if previous is None:
            return None
        qualifier, flag = previous
        if (
            len(qualifier) < 2  # one character ("新收", "大排查") qualifies nothing reliably
            or qualifier in asked
            or _SAME_THING.match(qualifier)
            or qualifier in places
            or zh.admin_level(qualifier) is not None
            or any(p.startswith(qualifier) for p in places)
            or not (flag.startswith("n") or flag == "j")
        ):
            return None  # this mention is the thing asked
        qualifiers.append(qualifier)
    return qualifiers[0] if qualifiers else None


# Words of a question that name the kind of figure, not the thing it measures.
_NOT_A_THING = re.compile(r"预期|目标|计划|任务|增长|增速|增幅|速度|水平|情况|指标")


def check_qualified(facts: QuestionFacts, sentence: str, section: str, report: ReportInfo) -> Check:
    """The thing asked, not a qualified kind of it: "地区生产总值增长了多少" is not answered by
    "海洋生产总值增长6%" nor "人均地区生产总值突破10万元"; "出口" is not answered by "进出口"."""
    if not facts.wants_figure or not rules.on("qualified"):
        return Check("qualified", True)
    question = zh.CONTRAST_COMPOUNDS.sub("", facts.text)
    compound = zh.CONTRAST_COMPOUNDS.search(sentence)
    if compound:
        given = zh.CONTRAST_COMPOUNDS.sub("", sentence)
        for part in ("进口", "出口"):
            if part in question and part not in given:
                return Check(
                    "qualified", False, f"报告中只有“{compound.group()}”的数字，没有“{part}”的"
                )
    thing = tuple(w for w in asked_thing(facts.text) if not _NOT_A_THING.search(w))
    if not thing:
        return Check("qualified", True)
    core = thing[-1]
    while plain := next(
        (m for m in ("地区", "全社会") if core.startswith(m) and len(core) > len(m) + 1), None
    ):
        core = core[len(plain) :]
    named = zh.with_report_names(sentence)
    contribution = re.compile(r"对[^，。；;]{0,8}?" + re.escape(core) + r"[^，。；;]{0,6}?贡献率")
    if (
        "贡献" not in facts.text
        and contribution.search(named)
        and core not in contribution.sub("", named)
    ):
        # "工业对GDP增长的贡献率达到53.4%" measures industry's part, not GDP's growth
        return Check("qualified", False, f"报告中只有对{core}的贡献率")
    qualifier = qualified_as(core, sentence, facts, report)
    if qualifier:
        return Check("qualified", False, f"报告中只有“{qualifier}{core}”的数字，没有问的{core}")
    return Check("qualified", True)


CheckFn = Callable[[QuestionFacts, str, str, ReportInfo], Check]
# In the order a refusal reports them: the most specific reason first.
CHECKS: tuple[CheckFn, ...] = (
    check_year,
    check_place,
    check_identifiers,
    check_scope,
    check_part,
    check_measure,
    check_contrast,
    check_period,
    check_time_kind,
    check_answer_kind,
    check_figure_of_subject,
    check_modifier,
    check_growth,
    check_qualified,
)


def run_checks(
    facts: QuestionFacts, sentence: str, section: str, report: ReportInfo
) -> list[Check]:
    return [check(facts, sentence, section, report) for check in CHECKS]


def first_failure(
    facts: QuestionFacts, sentence: str, section: str, report: ReportInfo
) -> Check | None:
    """The first check this sentence fails, or None; stops there (most sentences fail early)."""
    for check in CHECKS:
        result = check(facts, sentence, section, report)
        if not result.passed:
            return result
    return None


def mismatch(facts: QuestionFacts, sentence: str, section: str, report: ReportInfo) -> str | None:
    """Why this sentence cannot answer the question, or None when it can."""
    failed = first_failure(facts, sentence, section, report)
    return failed.reason if failed else None
