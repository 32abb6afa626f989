"""The Chinese vocabulary every rule uses, in one place: administrative suffixes, year forms, figure
and unit forms, standard indicator names, question words, and the words that mark a target.

Rules elsewhere import from here; nothing else in the project spells these words out, so a form
added here (a suffix, a unit, an indicator alias) is known to routing, metadata detection, question
analysis, the evidence checks, follow-up rewriting and the verifier alike.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from reportqa import rules

# ---------------------------------------------------------------------------------------------
# Places
# ---------------------------------------------------------------------------------------------

# Longest first, so that 自治区 is stripped before 区.
ADMIN_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "省",
    "市",
    "区",
    "县",
    "州",
    "盟",
    "旗",
    "镇",
    "乡",
)
# The suffixes a segmenter leaves as a separate word after a place ("光明" + "区").
PLACE_SUFFIX_WORDS = ("省", "市", "区", "县", "镇", "州", "乡", "旗", "盟")
# The level of an administrative unit: a figure for 全区 in a district's report is not one for 全市.
ADMIN_LEVELS = {
    "省": 0,
    "自治区": 0,
    "市": 1,
    "州": 1,
    "盟": 1,
    "区": 2,
    "县": 2,
    "旗": 2,
    "镇": 3,
    "乡": 3,
}
# 全市/全区…: the scope a figure covers.
SCOPE = re.compile(r"全(?:国|省|市|区|县|镇|乡|州)")
# A place name ending in its administrative suffix, shortest first ("深圳市光明区" -> 深圳市, 光明区).
PLACE_IN_TITLE = re.compile(r"[\u4e00-\u9fff]+?(?:自治区|省|自治州|市|区|县|旗|盟)")
# A place a body mentions with its suffix ("光明区"), not a self-reference (我市, 本区, 全省, 该县).
NAMED_PLACE = re.compile(r"(?<![我本全该各])([\u4e00-\u9fff]{2,3}(?:市|区|县))")
# Words that look like places but name a kind of area rather than one place.
GENERIC_AREAS = frozenset(
    ["城镇", "农村", "城乡", "乡村", "城市", "全国", "全省", "全市", "全区", "国内", "国际"]
    + ["海外", "境外", "境内", "基层", "地方", "中国", "全球", "世界", "两岸", "沿海", "沿江"]
    + ["内地", "东部", "西部", "中部", "北部", "南部"]
    # Two opposite directions together name no place: 东西 is "things" (买东西), 南北 a span.
    + ["东西", "南北"]
)
# Nouns that end like a place but name a kind of area, not a place ("示范区", "社区").
AREA_NOUNS = re.compile(
    r"(?:示范|开发|先行|试验|实验|保护|功能|服务|园|社|景|城|市|片|辖|校|街|小|新|自贸|保税|高新)区$"
)

# Words ending in 市/区 that are not places ("试点城市", "超市", "山区").
NOT_PLACE = re.compile(r"(?:[城都超门上街夜股楼车花菜集]市|[郊山牧矿湾老灾港商展营县]区)$")


# The people an autonomous unit is named for: 广西壮族自治区 is called 广西, 凉山彝族自治州 凉山.
ETHNIC_NAME = re.compile(
    "(?:(?:"
    + "|".join(
        ["维吾尔", "蒙古", "朝鲜", "哈萨克", "柯尔克孜", "土家", "布依", "哈尼", "傈僳", "纳西"]
        + ["景颇", "仫佬", "毛南", "仡佬", "撒拉", "东乡", "裕固", "保安", "达斡尔", "鄂温克"]
        + ["壮", "回", "藏", "彝", "苗", "侗", "瑶", "白", "傣", "黎", "羌", "水", "土", "畲"]
    )
    + ")族?)+$"
)


def strip_admin_suffix(place: str) -> str:
    """镜湖区 -> 镜湖, 广西壮族自治区 -> 广西, 凉山彝族自治州 -> 凉山; keeps at least two characters
    (沙区 stays whole)."""
    for suffix in ADMIN_SUFFIXES:
        if place.endswith(suffix) and len(place) - len(suffix) >= 2:
            stem = place[: -len(suffix)]
            if suffix.startswith("自治") and rules.on("places"):
                short = ETHNIC_NAME.sub("", stem)
                stem = short if len(short) >= 2 else stem
            return stem
    return place


# Provinces by the names questions use ("在山东排第几"): a province named beside one of its cities
# is the frame of a ranking or a comparison, not another place asked about.
PROVINCES = frozenset(
    ["北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江"]
    + ["安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州"]
    + ["云南", "陕西", "甘肃", "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆"]
    + ["香港", "澳门"]
)


def admin_level(place: str) -> str | None:
    """The administrative suffix of a place name (市 for 芜湖市, 省 for a bare province name such as
    山东), None when it has none."""
    if place in PROVINCES and rules.on("places"):
        return "省"  # 贵州 ends like a prefecture (州) but is a province
    for suffix in ADMIN_SUFFIXES:
        if place.endswith(suffix) and suffix in ADMIN_LEVELS:
            return suffix
    return None


# ---------------------------------------------------------------------------------------------
# What a document calls itself
# ---------------------------------------------------------------------------------------------

# Words a report's title line ends in ("2026年上海市政府工作报告", "…统计公报", "…纲要（2021年）").
TITLE_WORDS = re.compile(r"报告|公报|年报|纲要")
TITLE_ENDS = re.compile(r"(?:报告|公报|年报|纲要)(?:[（(][^）)]*[）)])?$")

# ---------------------------------------------------------------------------------------------
# Years
# ---------------------------------------------------------------------------------------------

# A four-digit year followed by 年 ("2024年", "2024 年度").
YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?=\s*年)")
# A four-digit year anywhere (file names: "longhua-2019-fazhi").
BARE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
# A year with or without its 年, for removing it from a text.
YEAR_WITH_SUFFIX = re.compile(r"(?<!\d)(?:19|20)\d{2}年?")
# A year written in Chinese numerals: 二〇二三年, 二零二四年.
_CN_DIGITS = {"〇": "0", "○": "0", "零": "0", "一": "1", "二": "2", "三": "3", "四": "4"}
_CN_DIGITS |= {"五": "5", "六": "6", "七": "7", "八": "8", "九": "9"}
CHINESE_YEAR = re.compile(r"([一二][〇○零一二三四五六七八九]{3})(?=年)")
# Years named relative to the report: a report delivered in year N says 今年 for N.
RELATIVE_YEARS = {"前年": -2, "去年": -1, "上年": -1, "上一年": -1, "今年": 0, "本年": 0, "明年": 1}
RELATIVE_YEAR = re.compile("|".join(sorted(RELATIVE_YEARS, key=len, reverse=True)))
# A year named in passing: the base of a comparison or a past event ("较2019年同期", "2018年曾获",
# "比2020年"), not the year a sentence reports on.
# "从2020年的5.2万元提高到…" gives the 2020 value: a year with its own figure is not in passing.
PASSING_YEAR = re.compile(
    r"(?:较|比|同比|与|相比|比较|对比|超过|高于|低于|快于|慢于|好于|自|早在)\s*((?:19|20)\d{2})\s*年"
    r"|(?:从|由)\s*((?:19|20)\d{2})\s*年(?!的?\s*\d)"
    r"|((?:19|20)\d{2})\s*年(?:以来|至今|起|曾|同期|水平)"
    if rules.on("time")
    else r"(?:较|比|同比|与|相比|比较|对比|超过|高于|低于|自|从|早在)\s*((?:19|20)\d{2})\s*年"
    r"|((?:19|20)\d{2})\s*年(?:以来|至今|起|曾|同期|水平)"
)
# A relative year as the base of a comparison ("比前年多了多少"): the question asks about the year
# compared, not about the base.
COMPARED_RELATIVE_YEAR = re.compile(
    r"(?:较|比|同比|相比|比较|对比|与)\s*("
    + "|".join(sorted(RELATIVE_YEARS, key=len, reverse=True))
    + ")"
)
# A year in a report's title, with 年 or 年度 ("2024年度"), taken out before its places and issuer
# are read.
TITLE_YEAR = re.compile(r"\d{4}\s*年度?")
# "一、2025年工作回顾": the year a work report reviews; it is delivered the year after.
REVIEWED_YEAR = re.compile(
    r"((?:19|20)\d{2})\s*年(?:政府)?(?:工作)?(?:回顾|总结)|过去的?一年"
    if rules.on("metadata")
    else r"((?:19|20)\d{2})\s*年(?:工作)?(?:回顾|总结)|过去的?一年"
)
# "2026年主要目标": the year a work report plans, the year it is delivered.
PLANNED_YEAR = re.compile(
    r"((?:19|20)\d{2})\s*年(?:的?主要目标|工作安排|重点工作|政府工作(?!回顾|总结)|主要任务)"
    if rules.on("metadata")
    else r"((?:19|20)\d{2})\s*年(?:的?主要目标|工作安排|重点工作|政府工作|主要任务)"
)


def without_title_year(title: str) -> str:
    """The title without the year it starts with ("2024年度淮安市…" -> "淮安市…")."""
    found = TITLE_YEAR.match(title)
    return title[found.end() :] if found else title


def numeral_value(numeral: str) -> int | None:
    """一 -> 1, 十二 -> 12, 二十 -> 20, "7" -> 7; None for what is not a small numeral."""
    if numeral.isdigit():
        return int(numeral)
    digits = {
        "一": 1,
        "二": 2,
        "两": 2,
        "三": 3,
        "四": 4,
        "五": 5,
        "六": 6,
        "七": 7,
        "八": 8,
        "九": 9,
    }
    if numeral in digits:
        return digits[numeral]
    if "十" in numeral and len(numeral) <= 3:
        tens, _, ones = numeral.partition("十")
        value = (digits.get(tens, 0) if tens else 1) * 10 + (digits.get(ones, 0) if ones else 0)
        return value
    return None


def arabic_years(text: str) -> str:
    """Chinese-numeral years turned into digits: 二〇二三年 -> 2023年 (same length, offsets kept)."""
    return CHINESE_YEAR.sub(lambda m: "".join(_CN_DIGITS[c] for c in m.group(1)), text)


def last_clause(text: str) -> str:
    """The clause a question asks in: the text after its last comma or semicolon."""
    return re.split(r"[，,；;]", text.rstrip("？?。 "))[-1]


def years_in(text: str) -> set[int]:
    """Four-digit years (Arabic or Chinese numerals) followed by 年."""
    return {int(y) for y in YEAR.findall(arabic_years(text))}


def relative_years(text: str, delivered: int | None) -> set[int]:
    """The years 去年/今年/明年 name in a text of a report delivered in `delivered`."""
    if delivered is None:
        return set()
    return {delivered + RELATIVE_YEARS[m] for m in RELATIVE_YEAR.findall(text)}


def asked_relative_years(question: str) -> set[int]:
    """The offsets of the relative years a question asks about (去年 -> -1), leaving out those
    named as a comparison base ("去年…比前年多了多少" asks about 去年 only)."""
    bases = {m.start(1) for m in COMPARED_RELATIVE_YEAR.finditer(question) if rules.on("time")}
    return {
        RELATIVE_YEARS[m.group()]
        for m in RELATIVE_YEAR.finditer(question)
        if m.start() not in bases
    }


def passing_years(text: str) -> set[int]:
    """Years named only as a comparison base or past event."""
    found: set[int] = set()
    for m in PASSING_YEAR.finditer(arabic_years(text)):
        found.add(int(next(g for g in m.groups() if g)))
    return found


# ---------------------------------------------------------------------------------------------
# Figures and units
# ---------------------------------------------------------------------------------------------

COUNTERS = "个项件次家所名人条批类场期轮年户座台辆套篇部支"
_UNITS = "元|件|个|人|项|次|家|所|名|条|户|批|类|场|期|轮|倍|岁|天|年|月|日|号|公里|千米|平方米|亩|吨|台|辆|套|篇|部"
# A figure in an answer: an Arabic number (with %), or a Chinese numeral with a counter. A lone 一
# before a counter is usually an article, not a quantity ("办成一件事", "一批").
FIGURE = re.compile(
    r"\d+(?:\.\d+)?\s*[%‰]?"
    r"|(?:[二三四五六七八九十百千万两]|一[十百千万])[一二三四五六七八九十百千万两]*"
    rf"(?:[{COUNTERS}])"
)
# A figure with its unit, for checking a generated answer against its sources: "120件" turned into
# "120万元" is caught because the unit travels with the number.
UNIT = rf"(?:\s*(?:%|％|[万亿千百]?(?:{_UNITS})|[万亿]))?"
ARABIC_FIGURE = re.compile(r"(?<![\d.])\d+(?:[.,]\d+)*" + UNIT)
CHINESE_FIGURE = re.compile(
    r"[〇零一二两三四五六七八九十百千万亿]{2,}(?:个|项|件|次|家|所|名|人|条|批|类|场|期|轮|年)"
    r"|[二两三四五六七八九十](?:个|项|件|次|家|所|名|人|条|批|类|场|期|轮)"
)
# The counter a question asks a figure in ("多少家", "几场", "多少万辆" -> 家, 场, 万).
ASKED_COUNTER = re.compile(
    r"(?:多少|几)\s*([个项件次家所名人条批类场期轮户座台辆套篇部支位头吨元万亿宗起])"
)
# Counters that count the same things: a question in 人 is answered by a figure in 名.
SAME_COUNTERS = (frozenset("人名位"), frozenset("件宗起"), frozenset("家户"))


def counter_forms(counter: str) -> frozenset[str]:
    return next((group for group in SAME_COUNTERS if counter in group), frozenset(counter))


def has_count_in(sentence: str, counter: str) -> bool:
    """Whether a sentence gives a figure in the counter asked: "308家" for 多少家, "4万余条" for
    多少条; Chinese numerals count too (十二场)."""
    forms = "".join(counter_forms(counter))
    number = r"(?:\d+(?:\.\d+)?|[一二两三四五六七八九十百千]+)"
    pattern = number + r"\s*(?:余|多)?\s*[万亿]?\s*(?:余|多)?\s*[" + re.escape(forms) + "]"
    return re.search(pattern, sentence) is not None


PERCENT = re.compile(r"\d+(?:\.\d+)?\s*[%％‰]|百分之|个百分点")
RANK = re.compile(r"第[一二三四五六七八九十百\d]+|首位|前列|位居|排名|名列|居全")
DATE = re.compile(r"\d{1,2}月(?:\d{1,2}日)?|年底|年末|上半年|下半年|季度")

# ---------------------------------------------------------------------------------------------
# Standard indicator names
# ---------------------------------------------------------------------------------------------

# Everyday or abbreviated name -> the name reports print. One public table of names, not answers:
# a question naming the left side is searched and checked with the right side too.
INDICATORS: dict[str, str] = {
    "GDP": "生产总值",  # printed as 地区生产总值, 全省生产总值, 全市生产总值
    "经济总量": "生产总值",
    "社零": "社会消费品零售总额",
    "CPI": "居民消费价格",
    "物价涨幅": "居民消费价格涨幅",
    "PPI": "工业生产者出厂价格",
    "R&D": "研发投入",
    "研发经费": "研发投入",
    "规上工业": "规模以上工业",
    "固投": "固定资产投资",
    "外贸": "进出口",
    "人均收入": "居民人均可支配收入",
    "政务服务热线": "12345",
    "政务便民服务电话": "12345",
    "便民热线": "12345",
    "一把手": "主要负责人",
}
if rules.on("report_names"):
    INDICATORS |= {
        "新能源车": "新能源汽车",
        "研发支出": "研发投入",
        "城里": "城镇",
        "乡下": "农村",
    }

# Everyday phrasings of standard indicators, as a citizen asks ("平均能活到多少岁") -> the name
# reports print (人均预期寿命). Each pattern ends before the ask, which stays a question word.
EVERYDAY_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        (re.compile(r"(?:人均|平均)?(?:能)?活(?:到)?(?=多少岁|几岁)"), "人均预期寿命"),
        (
            re.compile(r"来[\u4e00-\u9fff]{0,2}?(?:旅游|旅行|游玩|玩)的(?:人|游客)(?:数)?"),
            "接待游客人次",
        ),
        (re.compile(r"(?:收|征)了?(?=多少(?:的)?税)"), "税收收入"),
        (re.compile(r"(?:造|生产|产)(?:的|了|出)(?=[\u4e00-\u9fff]{0,6}?车)"), "产量"),
    )
    if rules.on("report_names")
    else ()
)


def indicator_aliases(text: str) -> list[str]:
    """The report names of the indicators a text names by another name: "GDP" -> 生产总值."""
    everyday = [p for pattern, p in EVERYDAY_PHRASES if pattern.search(text)]
    text = with_everyday_names(text)
    phrased = with_phrase_names(text)
    if phrased != text:
        return everyday + [p for pattern, p in INDICATOR_PHRASES if pattern.search(text)]
    lowered = text.lower()
    return list(
        dict.fromkeys(everyday + [v for k, v in INDICATORS.items() if k.lower() in lowered])
    )


def with_everyday_names(text: str) -> str:
    """Everyday phrasings in the names reports print ("能活到多少岁" -> "人均预期寿命多少岁")."""
    for pattern, printed in EVERYDAY_PHRASES:
        text = pattern.sub(printed, text)
    return text


# Indicators named by a phrase: R&D spending as a share of GDP is printed as 研发投入强度.
INDICATOR_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"研发(?:经费)?(?:投入)?(?:支出)?占(?:GDP|地区生产总值|生产总值)的?(?:比重|比例)"
        ),
        "研发投入强度",
    ),
)


def with_phrase_names(text: str) -> str:
    """Indicator phrases in the names reports print ("研发投入占GDP的比重" -> "研发投入强度")."""
    for pattern, printed in INDICATOR_PHRASES:
        text = pattern.sub(printed, text)
    return text


@lru_cache(maxsize=8192)
def with_report_names(text: str) -> str:
    """The text with indicators named as reports print them: "GDP增长" -> "生产总值增长".
    Cached: the answer step reads the same sentences under several checks."""
    text = with_phrase_names(with_everyday_names(text))
    for name, printed in INDICATORS.items():
        text = re.sub(re.escape(name), printed, text, flags=re.IGNORECASE)
    return text


def same_indicator(asked: str, text: str) -> bool:
    """Whether `text` names the indicator `asked` (an identifier such as GDP) by any of its names."""
    lowered = text.lower()
    if asked.lower() in lowered:
        return True
    return any(v in text for k, v in INDICATORS.items() if k.lower() == asked.lower() or v == asked)


# ---------------------------------------------------------------------------------------------
# Question words and the kind of answer asked
# ---------------------------------------------------------------------------------------------

WANTS_FIGURE = re.compile(
    r"多少|(?<!哪)几[个项件次家所名人条批类场期轮年倍]?|比例|比重|占比|百分之|率|数量|金额|规模|增长|增速|总[额量数]|排名|第几"
)
WANTS_LIST = re.compile(
    r"哪些|哪几|哪[一二两三四五六七八九十]+(?:个|项|件|类|条|大|方面)|几个方面|几项|包括什么|包括哪|"
    r"有什么(?:措施|举措|问题|不足|安排)"
)
WANTS_PERSON = re.compile(
    r"谁|姓名|(?:长|书记|主任|负责人|代表|委员)[^，,。？?]{0,6}(?:叫什么|名字)"
)
# 为什么/如何提高 ask for a reason or a way, not a figure, even when the question names a rate;
# a final 如何 ("排名如何？") asks for the thing itself.
WANTS_REASON = re.compile(
    r"为什么|为何|原因|靠什么|通过什么|(?:如何|怎样|怎么)(?=[\u4e00-\u9fff])(?!样)"
)
# The kind of figure asked: a share, a rank, a date (any other figure question takes any figure).
ASKS_SHARE = re.compile(r"比例|占比|比重|百分之|百分比|(?<![增速效频])率")
ASKS_RANK = re.compile(r"第几|排名|排第|名次|位次")
ASKS_DATE = re.compile(r"什么时候|何时|哪一?天|几月|哪个月|日期")
# A part of a whole asked for ("法律援助案件中刑事案件有多少件"): the part's qualifier (刑事) must be
# in the evidence, or the answer would give the whole for the part. 中/里/当中/之中 alike.
SUBSET = re.compile(
    r"[\u4e00-\u9fff]{2,}(?:当中|之中|里面|中|里)(?:的)?([\u4e00-\u9fff]{2,8}?)"
    r"(?:有|是|为|共|一共)?(?:多少|几)"
)
# A named rate or degree asked for ("败诉率是多少", "满意度如何"); 比例/占比/比重 name a share.
ASKED_MEASURE = re.compile(
    r"([\u4e00-\u9fff]{2}(?:率|度)|[\u4e00-\u9fff]{1,2}(?:量|额))"
    r"(?:是|为|达到|达|有|约|增长了?|提高了?)?(?:多少|几|怎样|如何|多高|怎么样)"
)
# A count or sum named by what is counted ("销量", "授权量", "交易额"): the evidence must count the
# same thing (产量 is not 销量). These name no particular thing and are not checked.
GENERIC_MEASURES = frozenset(
    ["总量", "数量", "增量", "存量", "总额", "金额", "余额", "份额", "限额", "质量", "力量"]
    + ["能量", "大量", "少量", "容量", "规模", "额度", "程度", "力度", "幅度", "速度"]
)
# Question words carry no evidence; removing them keeps them out of the coverage measure.
QUESTION_WORDS = re.compile(
    # the counter or unit after 多少/几 and the rank words belong to the ask, not to the topic
    r"(?:一共|总共|共计)?(?:是|有|为)?多少[个项件次家所名人条批类场期轮户座台辆套篇部支位头吨元]?|"
    r"(?:排|排名|位居|居)?第几[位名]?|多大|多高|"
    r"一共|总共|共计|请问|多少|哪些|哪个|哪里|哪|什么|是否|有没有|有无|如何|怎样|怎么|为何|为什么|几|吗|呢|啊|呀|"
    + (r"所说的|说的|指的是|是指|指什么|什么意思|意思|含义|" if rules.on("wording") else "")
    # hedges and "now" words ask nothing of the evidence ("去年一年的经济总量大概有多少")
    + (r"大概|大约|大致|差不多|现在|目前|当前|如今|一年|" if rules.on("report_names") else "")
    + r"请|告诉我|介绍一下|介绍|一下|分别|是谁|谁|情况|具体|主要|都|有哪|了|的|是"
)
# An interrogative with its copula, where a question's ask begins ("…案件多少件？").
ASK = re.compile(
    r"(?:是|有|共|为|达到|达)?(?:多少|几|哪些|哪个|哪里|哪|什么|如何|怎样|怎么|是否|有没有|有无|为什么|为何|谁)"
)
FILLER = re.compile(r"是|有|了|的|吗|呢|请问|一下|分别|情况|具体")
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9.&\-]*")

# ---------------------------------------------------------------------------------------------
# Targets and results
# ---------------------------------------------------------------------------------------------

# A question asking for a target or plan rather than what happened (in the clause that asks: in
# "下一年度打算…的那项改革，2024年制定了多少项" the plan only names the topic).
ASKS_TARGET = re.compile(
    # any 要 + verb ("要突破", "要攒到", "要稳定在"), but not 主要, 需要, 重要, 要求
    r"目标|预期|计划|力争|打算|将要|拟|要(?:达到|实现|控制|保持|提高|提升|增长|降低|完成)"
    r"|(?<![主需重必只想])要(?![求素点闻是])[\u4e00-\u9fff]"
    if rules.on("plan_wording")
    else r"目标|预期|计划|力争|打算|将要|拟|要(?:达到|实现|控制|保持|提高|提升|增长|降低|完成)"
    if rules.on("time")
    else r"目标|预期|计划|力争|打算|将要|拟"
)
# A question asking for a growth or change ("增长了多少", "多了多少", "增速"): an amount alone does
# not answer it.
ASKS_GROWTH = re.compile(
    r"(?:增长|增加|提高|提升|上涨|上升|下降|减少|多|少|涨)了?多少(?![个项件次家所名人条批类场期轮户座台辆套篇部支位头吨元万亿斤亩天岁]|钱)"
    r"|增速|增幅|涨幅|增长率"
)
# A figure of growth or change: a percentage, "增加14天", "提高到1190元", "翻一番", "3倍".
GROWTH_FIGURE = re.compile(
    r"\d+(?:\.\d+)?\s*[%％‰倍]|百分之|个百分点|翻[一两番]|"
    r"(?:增长|增加|增|提高|提升|上涨|上升|下降|减少|回落|多|少)[^，。；;、]{0,6}?\d"
)
# A question asking explicitly for what happened.
ASKS_RESULT = re.compile(r"实际|实现了|完成了|达到了|完成情况|实绩|结果")
# A sentence stating a target: 预期目标, 力争, 左右 after a figure, 以上/以内 as bounds.
TARGET_SENTENCE = re.compile(
    r"预期(?:目标)?|目标(?:是|为)?|力争|左右|以上|以内|以下|不低于|不超过|确保|计划|拟|争取"
)
# The lead-in of a list of targets ("主要预期目标是：A；B；C"): each item it governs is a target.
TARGET_LEAD = re.compile(r"(?:预期目标|主要目标|目标任务|预期性指标)[^。；;\n]{0,6}[：:]")
# A section planning the year of delivery ("2026年主要目标任务", "今年工作安排").
PLAN_SECTION = re.compile(r"目标|安排|任务|今年|工作建议|主要工作|重点工作|规划|部署|预期")

# A figure over several years (年均增长, 累计, 五年来): not the figure of one year.
PERIOD = re.compile(
    r"年均|累计|五年来|这五年|过去五年|[“\"]?十[一二三四五]五[”\"]?(?:期间|时期|以来)"
)
# A question asking for such a figure names the period itself.
ASKS_PERIOD = re.compile(
    r"年均|累计|五年|十[一二三四五]五|以来|期间|历年|这几年|近几年|平均每年|连续(?:几|多少|\d)"
)

# Neighbouring things a question and a sentence can both speak of, one instead of the other: a
# sentence giving the second of a pair, without the first, does not answer a question about the
# first (进口 is not 出口, 城镇居民 is not 农村居民, 世界500强 is not 中国企业500强).
SECTOR_MEASURES = ("营业收入", "增加值", "利润", "税金", "产值")
CONTRASTS: tuple[tuple[str, str], ...] = (
    ("进口", "出口"),
    ("出口", "进口"),
    ("城镇", "农村"),
    ("农村", "城镇"),
    ("世界", "中国"),
    ("全球", "中国"),
    ("货物", "集装箱"),
    ("集装箱", "货物"),
    ("受理", "办结"),
    ("办结", "受理"),
    ("败诉", "应诉"),
    ("专利", "商标"),
    ("商标", "专利"),
    ("授权", "拥有"),
    ("销量", "产量"),
    ("出栏", "饲养量"),
    ("出栏", "存栏"),
    ("本科", "专科"),
) + (
    # a sector's output, value added, takings, profit and taxes are different sums
    tuple((a, b) for a in SECTOR_MEASURES for b in SECTOR_MEASURES if a != b)
    if rules.on("qualified")
    else ()
)
# A compound that holds one word of a pair without meaning it: 进出口 is neither 进口 nor 出口.
CONTRAST_COMPOUNDS = re.compile(r"进出口")
# A word that names both of a pair: 城乡居民 covers 城镇 and 农村 residents alike.
COVERS_BOTH = {"城乡": frozenset(["城镇", "农村"])}

# ---------------------------------------------------------------------------------------------
# Questions that are not about the reports
# ---------------------------------------------------------------------------------------------

GREETING = re.compile(
    r"^(?:你好|您好|嗨|哈喽|hello|hi|早上好|晚上好|下午好|在吗|谢谢|再见)[啊呀！!，,。？?\s]*$",
    re.I,
)
ABOUT_TOOL = re.compile(
    r"你(?:能|会|可以)(?:做|干|帮我?做?)什么|你是谁|^(?:怎么|如何)使用|使用方法|^帮助|"
    r"有哪些报告|收录了?(?:哪些|什么)|(?:能|可以)问(?:些)?什么|你有什么功能"
    + (
        r"|(?:能|可以)(?:查|查到|查询|搜)(?:到)?(?:些)?(?:哪些|什么)|哪些(?:城市|地方|省份|地区|省市)的报告"
        if rules.on("wording")
        else ""
    )
)
# Requests no government report answers: creative writing, weather, cooking, chat. Kept narrow on
# purpose: 重污染天气 and 经验做法 are report topics.
OUT_OF_DOMAIN = re.compile(
    r"(?:写|作|编|来)(?:一)?(?:首|篇|段|个)[^，。？?]{0,10}?(?:诗|歌|故事|笑话|小说)|"
    r"(?:写|作)诗|讲(?:一)?个(?:笑话|故事)|"
    r"天气(?:怎么样|如何|预报|好吗)|(?:今天|明天|后天).{0,4}(?:下雨|天气|气温)|"
    r"菜谱|食谱|红烧|炒菜|好吃|(?:怎么|如何)(?:做|烧|煮|炒)[^，。？?]{0,4}(?:肉|鱼|菜|汤|饭)|"
    r"推荐[^，。？?]{0,4}(?:电影|电视剧|小说|歌曲|餐厅|美食)|翻译|现在几点|今天(?:几号|星期几)|"
    r"买(?:什么|哪只)股票"
    + (
        r"|推荐[^，。？?]{0,8}(?:电影|电视剧|小说|歌曲|餐厅|美食)|股市|股票行情|大盘(?:走势|行情)"
        r"|(?:今天|明天|最近)[^，。？?]{0,4}行情"
        if rules.on("wording")
        else ""
    )
)


# ---------------------------------------------------------------------------------------------
# Script
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional characters turned into simplified ones (報告 -> 报告); simplified text unchanged.

    The reports are in simplified Chinese; a question typed in traditional characters is asked
    of them in simplified form.
    """
    if text.isascii():
        return text
    converted: str = _t2s().convert(text)
    return converted
