"""Detect a report's title, place, years and kind; a sidecar file overrides them.

Each field comes from the best source that has it, in this order: a sidecar written by a person, the
report's title line, its file name, its body. Where a field came from is kept with it (`sources`),
so `reportqa reports` can show it. A field no source gives stays empty: unknown, which never
excludes the report from a search nor refuses an answer.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from reportqa import rules
from reportqa.lang import zh

_KINDS = (
    "法治政府建设情况报告",
    "法治政府建设工作报告",
    "政府信息公开工作年度报告",
    "政府工作报告",
    "国民经济和社会发展统计公报",
    "工作报告",
    "年度报告",
)


@dataclass
class ReportMeta:
    title: str
    places: list[str] = field(default_factory=list)
    years: list[int] = field(default_factory=list)
    kind: str = ""
    issuer: str = ""
    # Where each field came from: "sidecar", "title line", "file name" or "body".
    sources: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def years_in(text: str) -> list[int]:
    return sorted(zh.years_in(text))


def places_in_title(title: str) -> list[str]:
    """Place names in a title: '深圳市光明区人民政府关于…' gives ['深圳市', '光明区']."""
    without_years = zh.TITLE_YEAR.sub("", title)
    head = re.split(r"人民政府|政府|关于|\d", without_years, maxsplit=1)[0]
    found: list[str] = []
    for part in zh.PLACE_IN_TITLE.findall(head):
        if len(part) >= 2:
            found.append(part)
    return found


def detect_kind(title: str) -> str:
    compact = title.replace(" ", "")
    for kind in _KINDS:
        if kind in compact:
            return kind
    if "法治政府建设" in compact:
        return "法治政府建设情况报告"
    return ""


def detect_issuer(title: str, places: list[str]) -> str:
    """The issuing government: named in the title ("淮安市人民政府…"), else the government of the
    place the report is about (a 政府工作报告 is delivered by that place's 人民政府)."""
    named = re.match(r"^(.+?人民政府(?:办公室)?)", zh.without_title_year(title))
    if named:
        return named.group(1)
    return "".join(places) + "人民政府" if places else ""


def covered_years(title: str, kind: str) -> list[int]:
    """Years a report covers. A 政府工作报告 of year N reviews year N-1 and plans year N."""
    years = years_in(title)
    if kind == "政府工作报告" and len(years) == 1:
        return [years[0] - 1, years[0]]
    return years


# A line that names what the document is: "2026年上海市政府工作报告".
_TITLE_MAX = 60
_HEAD_LINES = 30
# "我代表上海市人民政府" / "代表市人民政府": the delivering government names its place.
_DELIVERED_BY = re.compile(r"代表([\u4e00-\u9fff]{2,12}?)人民政府")
# "向大会报告工作", "向大会作政府工作报告", "向大会作工作报告": the opening of a work report.
_WORK_REPORT_BODY = re.compile(
    r"向大会(?:报告(?:政府)?工作|[作做](?:政府)?工作报告)"
    if rules.on("metadata")
    else r"向大会报告(?:政府)?工作"
)
# A part headed "2023年工作回顾" (alone on its line, numbered or not) is a work report's: some
# open with it, without the "向大会报告工作" greeting.
_REVIEW_PART = re.compile(
    r"^(?:[一二三四五六七八九十]+、)?(?:19|20)\d{2}年(?:政府)?工作回顾\s*$", re.M
)
_MIN_MENTIONS = 3
_BODY_CHARS = 10000


def title_line(parsed_title: str, text: str) -> str:
    """The line that names the document: the parsed title when it does, else the first short line
    near the top that does (web copies open with "下载 打印 全屏" before the title)."""
    if parsed_title and zh.TITLE_ENDS.search(parsed_title.strip()):
        return parsed_title
    for line in text.splitlines()[:_HEAD_LINES]:
        line = line.strip()
        if 4 <= len(line) <= _TITLE_MAX and zh.TITLE_ENDS.search(line):
            return line
    return ""


def places_in_file_name(stem: str) -> list[str]:
    """The place a file name gives: "2026_上海市_政府工作报告" -> 上海市, "厦门" -> 厦门,
    "XX区2023年政府工作报告" -> XX区; none for "jinghu-2024-fazhi"."""
    words = [w for w in re.split(r"[^\u4e00-\u9fff]+", stem) if w]
    for word in words:
        head = re.split(r"人民政府|政府|关于|\d", word, maxsplit=1)[0]
        head = re.sub("|".join(k for k in _KINDS) + r"|法治政府建设.*|工作报告|报告$", "", head)
        found = places_in_title(head)
        if found:
            return found
        if 2 <= len(head) <= 6 and not zh.TITLE_WORDS.search(head):
            return [head]
    return []


def delivering_place(text: str) -> list[str]:
    """The place of the government delivering the report: "我代表上海市人民政府" -> 上海市."""
    m = _DELIVERED_BY.search(text[:5000])
    return places_in_title(m.group(1)) if m else []


def places_in_body(text: str) -> list[str]:
    """The place a body names itself by: "我代表上海市人民政府" -> 上海市."""
    found = delivering_place(text)
    if found:
        return found
    # Else the place the body names most over its opening pages: a dictionary word tagged as a
    # place ("厦门") or a name with its suffix ("光明区", which the segmenter does not tag). The
    # segmenter runs on its dictionary alone: its HMM, which guesses words the dictionary lacks,
    # cost five times as much (a quarter of a second of CPU a report) and its guesses were not
    # places ("开区", "陆港").
    # Tags as shipped: places a running server learned from its index change no detection.
    from reportqa.answer.question import jieba_posseg, shipped_words

    head = text[:_BODY_CHARS]
    counts: Counter[str] = Counter(
        w
        for word, flag in jieba_posseg().cut(head, HMM=False)
        for w, shipped in shipped_words(word, flag)
        if len(w) >= 2 and shipped == "ns"
    )
    counts.update(zh.NAMED_PLACE.findall(head))
    for name in list(counts):
        if (
            name in zh.GENERIC_AREAS
            or name.endswith("化")  # 法治化 is tagged as a place
            or zh.AREA_NOUNS.search(name)
            or zh.NOT_PLACE.search(name)
            or name.endswith("治区")  # 依法治区
        ):
            del counts[name]
    if counts:
        best, mentions = counts.most_common(1)[0]
        if mentions >= _MIN_MENTIONS:
            return [with_suffix(best, text)]
    return []


# "我代表市人民政府" / "代表州人民政府": the level of the government delivering the report.
_OWN_LEVEL = re.compile(r"代表(省|市|区|县|州|盟|旗|自治区|自治州|自治县)人民政府")


def with_suffix(place: str, text: str) -> str:
    """A bare place name ("厦门") in the suffixed form of the report's own level ("厦门市", from
    "我代表市人民政府"), else in the form the text uses most for it. 东营 names a city and one of
    its districts (东营区); the report of 东营市 says 代表市人民政府."""
    own = _OWN_LEVEL.search(text) if rules.on("metadata") else None
    if zh.admin_level(place) is not None and place not in zh.PROVINCES:
        return place + "市" if _city_ending_in_zhou(place, own, text) else place
    if own:
        return place + own.group(1)
    used = [s for s in zh.PLACE_SUFFIX_WORDS if place + s in text]
    return place + max(used, key=lambda s: text.count(place + s)) if used else place


def _city_ending_in_zhou(place: str, own: re.Match[str] | None, text: str) -> bool:
    """广州, 杭州, 扬州: a name ending in 州 that is a city's name without its 市, not a 州 (凉山州,
    黔西南州): the report speaks for a city government (代表市人民政府), or, saying neither,
    names the place with 市 (扬州市)."""
    if not place.endswith("州") or place.endswith("自治州") or not rules.on("metadata"):
        return False
    if own is not None:
        return own.group(1) == "市"
    return place + "市" in text


def years_in_body(text: str) -> list[int]:
    """A work report's years from its body: the year it reviews and the one it plans."""
    head = text[:20000]
    planned = zh.PLANNED_YEAR.search(head)
    reviewed = zh.REVIEWED_YEAR.search(head)
    if planned:
        year = int(planned.group(1))
        return [year - 1, year]
    if reviewed and reviewed.group(1):
        year = int(reviewed.group(1))
        return [year, year + 1]
    return []


def _sets_places(sidecar: dict[str, Any]) -> bool:
    return "places" in sidecar or isinstance(sidecar.get("place"), str)


def _refine(short: list[str], full: list[str]) -> list[str]:
    """A file name's short place ("三亚") in the body's full form ("三亚市") when they agree."""
    return [next((f for f in full if f.startswith(p)), p) for p in short]


def detect_meta(
    parsed_title: str, file_stem: str, sidecar: dict[str, Any], body: str = ""
) -> ReportMeta:
    sources: dict[str, str] = {}
    line = title_line(parsed_title, body) if body else parsed_title
    if sidecar.get("title"):
        title, sources["title"] = str(sidecar["title"]).strip(), "sidecar"
    elif line:
        title, sources["title"] = line.strip(), "title line"
    else:
        title, sources["title"] = file_stem, "file name"
    compact = title.replace(" ", "")
    stem = file_stem.replace(" ", "")

    kind = detect_kind(compact)
    if kind:
        sources["kind"] = sources["title"]
    elif detect_kind(stem):
        kind, sources["kind"] = detect_kind(stem), "file name"
    elif body and (_WORK_REPORT_BODY.search(body[:5000]) or _REVIEW_PART.search(body[:5000])):
        kind, sources["kind"] = "政府工作报告", "body"

    places = places_in_title(compact) if sources["title"] != "file name" else []
    if places:
        sources["places"] = sources["title"]
    elif _sets_places(sidecar):
        places = []  # the sidecar's places replace whatever would be detected: not looked for
    elif places_in_file_name(stem):
        places, sources["places"] = places_in_file_name(stem), "file name"
        # The file name's place in the form the body gives it ("三亚" -> 三亚市). Only the cheap
        # signals: the delivering government, the report's own level, the suffixed form it uses.
        places = [with_suffix(p, body) for p in _refine(places, delivering_place(body))]
    elif body_places := places_in_body(body):
        places, sources["places"] = body_places, "body"

    years = covered_years(compact, kind) if sources["title"] != "file name" else []
    if years:
        sources["years"] = sources["title"]
    else:
        # "longhua-2019-fazhi", "XX区政府工作报告（2018）": a file name still tells the year.
        named = sorted({int(y) for y in zh.BARE_YEAR.findall(stem)})
        if named:
            years = (
                [named[0] - 1, named[0]] if kind == "政府工作报告" and len(named) == 1 else named
            )
            sources["years"] = "file name"
        elif body and kind == "政府工作报告" and years_in_body(body):
            years, sources["years"] = years_in_body(body), "body"

    meta = ReportMeta(
        title=title,
        places=places,
        years=years,
        kind=kind,
        issuer=detect_issuer(compact, places),
    )
    for key in ("places", "years", "kind", "issuer"):
        if key in sidecar:
            setattr(meta, key, sidecar[key])
            sources[key] = "sidecar"
    if isinstance(sidecar.get("place"), str):
        meta.places = [sidecar["place"]]
        sources["places"] = "sidecar"
    if "issuer" not in sidecar and ("places" in sidecar or "place" in sidecar):
        meta.issuer = detect_issuer(compact, meta.places)
    # A report rebuilt from an index's own copy carries its metadata as a sidecar, with where each
    # field first came from: that provenance is kept, not replaced by "sidecar".
    recorded = sidecar.get("sources")
    if isinstance(recorded, dict):
        sources = {str(k): str(v) for k, v in recorded.items()}
    meta.sources = sources
    return meta
