"""Detect a report's title, place, years and kind from its text; a sidecar file overrides them."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

_YEAR = re.compile(r"(?<!\d)(20\d{2}|19\d{2})(?=\s*年|年度)")
_BARE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def years_in(text: str) -> list[int]:
    return sorted({int(y) for y in _YEAR.findall(text)})


def places_in_title(title: str) -> list[str]:
    """Place names in a title: '深圳市光明区人民政府关于…' gives ['深圳市', '光明区']."""
    without_years = re.sub(r"\d{4}\s*年度?", "", title)
    head = re.split(r"人民政府|政府|关于|\d", without_years, maxsplit=1)[0]
    found: list[str] = []
    for part in re.findall(r"[\u4e00-\u9fff]+?(?:自治区|省|自治州|市|区|县)", head):
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
    named = re.match(r"^(.+?人民政府(?:办公室)?)", re.sub(r"^\d{4}\s*年度?", "", title))
    if named:
        return named.group(1)
    return "".join(places) + "人民政府" if places else ""


def covered_years(title: str, kind: str) -> list[int]:
    """Years a report covers. A 政府工作报告 of year N reviews year N-1 and plans year N."""
    years = years_in(title)
    if kind == "政府工作报告" and len(years) == 1:
        return [years[0] - 1, years[0]]
    return years


def detect_meta(parsed_title: str, file_stem: str, sidecar: dict[str, Any]) -> ReportMeta:
    title = str(sidecar.get("title") or parsed_title or file_stem).strip()
    compact = title.replace(" ", "")
    kind = detect_kind(compact)
    places = places_in_title(compact)
    years = covered_years(compact, kind)
    if not years and title == file_stem:
        # A file name such as "longhua-2019-fazhi" still tells the year.
        years = sorted({int(y) for y in _BARE_YEAR.findall(file_stem)})
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
    if isinstance(sidecar.get("place"), str):
        meta.places = [sidecar["place"]]
    if "issuer" not in sidecar and ("places" in sidecar or "place" in sidecar):
        meta.issuer = detect_issuer(compact, meta.places)
    return meta
