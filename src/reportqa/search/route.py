"""Which reports a question is about, from the places and years it names and each report's
metadata. A question about 镜湖区 in 2024 is searched in the 镜湖区 2024 report only, so a figure from
another district's report can never answer it.

Routing only narrows the search. When a question names nothing the reports' metadata knows, every
report is searched, and the answer step refuses if the evidence lacks the place or year asked about.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from reportqa import rules
from reportqa.lang import zh
from reportqa.records import ReportInfo


@lru_cache(maxsize=65_536)
def place_forms(place: str) -> frozenset[str]:
    """A place name and its short form: 镜湖区 -> {镜湖区, 镜湖}, 深圳市 -> {深圳市, 深圳}.

    The short form keeps at least two characters, so 光明区 gives 光明 but 沙区 stays whole.
    """
    return frozenset(f for f in {place, zh.strip_admin_suffix(place)} if len(f) >= 2)


def mentions_place(question: str, question_places: Iterable[str], scope: ReportInfo) -> bool:
    """Whether the question names one of the report's places, in full or short form."""
    for place in scope.places:
        forms = place_forms(place)
        if any(form in question for form in forms):
            return True
        if any(forms & place_forms(asked) for asked in question_places):
            return True
    return False


def _matched_level(question: str, asked: list[str], places: tuple[str, ...]) -> int | None:
    """How specific the most specific of a report's places the question names is (省 0, 市 1,
    区 2…); None when that place's level is unknown."""
    levels: list[int | None] = []
    for place in places:
        if mentions_place(question, asked, ReportInfo("", (place,), ())):
            suffix = zh.admin_level(place)
            levels.append(zh.ADMIN_LEVELS[suffix] if suffix else None)
    if not levels or None in levels:
        return None
    return max(level for level in levels if level is not None)


def most_specific(
    question: str, asked: list[str], matched: Mapping[tuple[str, ...], list[str]]
) -> list[list[str]]:
    """The reports of the most specific place a question names: "孝感…在湖北排第几" is about 孝感,
    and 湖北 frames it. All of them when a place's level is unknown."""
    levels = {places: _matched_level(question, asked, places) for places in matched}
    if None in levels.values() or not levels or not rules.on("places"):
        return list(matched.values())
    top = max(level for level in levels.values() if level is not None)
    return [rids for places, rids in matched.items() if levels[places] == top]


def route(
    question: str,
    places: Iterable[str],
    years: Iterable[int],
    reports: Mapping[str, ReportInfo],
) -> set[str] | None:
    """The ids of the reports to search for `question`, or None to search them all.

        `places` and `years` are what the question analysis found. Place narrows first (a place is
        more specific than a year: several reports cover 2024, one covers 镜湖区); year then narrows
        among those, unless no report of that place covers the year, in which case the place's reports
        are kept and the answer step judges the year. A report whose place or years are unknown is never
    excluded by them. Never returns an empty set.
    """
    asked_places = list(places)
    asked_years = set(years)
    # Reports are grouped by their places and years, so each distinct place list is matched
    # once and each distinct year list checked once: at 10,000 reports, going through every
    # report took most of a question's time.
    groups = _grouped(reports)
    matched = {
        scope_places: [rid for rids in by_years.values() for rid in rids]
        for scope_places, by_years in groups.items()
        if mentions_place(question, asked_places, ReportInfo("", scope_places, ()))
    }
    picked = {id(rids) for rids in most_specific(question, asked_places, matched)}
    chosen_places = {key for key, rids in matched.items() if id(rids) in picked}
    chosen_groups = [
        by_years
        for scope_places, by_years in groups.items()
        # A report whose place could not be detected may still be about the place asked.
        if scope_places in chosen_places or (chosen_places and not scope_places)
    ]
    chosen = {rid for by_years in chosen_groups for rids in by_years.values() for rid in rids}
    if asked_years:
        # Likewise a report of unknown years is never excluded by the year asked.
        in_year = {
            rid
            for by_years in (chosen_groups if chosen else groups.values())
            for report_years, rids in by_years.items()
            if not report_years or asked_years & set(report_years)
            for rid in rids
        }
        if in_year:
            chosen = in_year
    return chosen or None


# The grouping of the last report mapping routed (an engine's reports do not change).
_last_grouping: list[tuple[Mapping[str, ReportInfo], int, dict[Any, Any]]] = []


def _grouped(
    reports: Mapping[str, ReportInfo],
) -> dict[tuple[str, ...], dict[tuple[int, ...], list[str]]]:
    """Report ids by places, then by years."""
    for known, size, groups in _last_grouping:
        if known is reports and size == len(reports):
            return groups
    grouped: dict[tuple[str, ...], dict[tuple[int, ...], list[str]]] = {}
    for rid, scope in reports.items():
        grouped.setdefault(scope.places, {}).setdefault(scope.years, []).append(rid)
    _last_grouping[:] = [(reports, len(reports), grouped)]
    return grouped
