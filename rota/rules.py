"""A line's coverage rules and their check against its timeline: warnings, never a block.

A *shift* is one continuous stretch of duty of one counselor on one line, whatever the tier:
moving from tier 1 to tier 2 without a break is one shift. A *night shift* is a shift that
covers the whole of the line's night window (02:00-05:00 local unless the line sets another)
of some local day; a window whose end is not after its start runs into the next day.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from rota.coverage import find_gaps
from rota.localtime import as_utc, local_day_start
from rota.model import Segment, Weekly
from rota.rule_checks import (
    Interval,
    Timeline,
    counselor_shifts,
    lacking_qualification,
    nights_covered,
    overlaps,
)
from rota.service_hours import gaps_in_service, read_service_hours, service_windows

TIER_1 = "tier-1-staffed"
QUALIFIED = "qualified"
NIGHTS = "max-consecutive-nights"
REST = "min-rest"
WEEKLY = "max-weekly-hours"
RULES = (TIER_1, QUALIFIED, NIGHTS, REST, WEEKLY)
_DAY = timedelta(days=1)
_WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class QualifiedWindow:
    """At least one counselor with `qualification` on duty (any tier) within `window`."""

    qualification: str
    window: Weekly


@dataclass(frozen=True, slots=True)
class CoverageRules:
    """What a line sets; a rule left as None (or False, or empty) is not checked."""

    tier1_staffed: bool = False
    qualified: tuple[QualifiedWindow, ...] = ()
    max_consecutive_nights: int | None = None
    min_rest: timedelta | None = None
    max_weekly: timedelta | None = None
    night: tuple[time, time] = (time(2), time(5))

    @property
    def is_empty(self) -> bool:
        return not (
            self.tier1_staffed
            or self.qualified
            or self.max_consecutive_nights
            or self.min_rest
            or self.max_weekly
        )


@dataclass(frozen=True, slots=True)
class Violation:
    """One breach of a rule over `[start, end)` (UTC), with the counselor concerned if any.
    `detail` says what is wrong in English; `facts`, the figures it is made of (name, value),
    for texts in other languages."""

    rule: str
    start: datetime
    end: datetime
    detail: str
    counselor: str | None = None
    facts: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class LineFacts:
    """What the check needs of a line beside its rota: its zone, service hours (None: all
    the time) and each counselor's qualifications."""

    tz: ZoneInfo
    service_hours: tuple[Weekly, ...] | None = None
    qualifications: Mapping[str, frozenset[str]] = field(default_factory=dict)


def read_rules(doc: Mapping[str, Any] | None) -> CoverageRules:
    """The rules as the configuration writes them (see docs/coverage-rules.md); ValueError
    naming what is malformed. None: no rules."""
    if not doc:
        return CoverageRules()
    qualified = tuple(
        QualifiedWindow(str(item["qualification"]), read_service_hours([item])[0])
        for item in doc.get("qualified", ())
    )
    night = doc.get("night")
    return CoverageRules(
        tier1_staffed=bool(doc.get("tier1_staffed", False)),
        qualified=qualified,
        max_consecutive_nights=doc.get("max_consecutive_nights"),
        min_rest=_hours(doc.get("min_rest_hours")),
        max_weekly=_hours(doc.get("max_weekly_hours")),
        night=(time.fromisoformat(night["start"]), time.fromisoformat(night["end"]))
        if night
        else (time(2), time(5)),
    )


def _hours(value: Any) -> timedelta | None:
    return None if value is None else timedelta(hours=float(value))


def check_rules(
    rules: CoverageRules, timeline: Timeline, facts: LineFacts, start: datetime, end: datetime
) -> list[Violation]:
    """Every violation of `rules` that overlaps `[start, end)`, ordered by start.

    The timeline is read over whole local weeks around the window and more (enough nights
    back for a run of them, a day on either side), so a shift, a rest or a week that crosses
    the window's edge is judged whole; what is reported still overlaps the window.
    """
    start, end = as_utc(start), as_utc(end)
    if end <= start or rules.is_empty:
        return []
    scan_start, scan_end = scan_window(rules, facts.tz, start, end)
    segments = timeline.timeline(scan_start, scan_end)
    shifts = counselor_shifts(segments)
    found: list[Violation] = []
    # Windows are judged whole (over the scan), so what is reported does not move with `start`.
    if rules.tier1_staffed:
        found += _tier1(segments, facts, scan_start, scan_end)
    for wanted in rules.qualified:
        found += _qualified(wanted, segments, facts, scan_start, scan_end)
    if rules.max_consecutive_nights:
        found += _nights(rules.max_consecutive_nights, rules.night, shifts, facts.tz)
    if rules.min_rest:
        found += _rest(rules.min_rest, shifts)
    if rules.max_weekly:
        found += _weekly(rules.max_weekly, shifts, facts.tz, start, end)
    inside = [v for v in found if overlaps((v.start, v.end), (start, end))]
    return sorted(inside, key=lambda v: (v.start, v.end, RULES.index(v.rule), v.counselor or ""))


def scan_window(rules: CoverageRules, tz: ZoneInfo, start: datetime, end: datetime) -> Interval:
    """The stretch of the timeline `check_rules` reads for the window `[start, end)`."""
    nights = (rules.max_consecutive_nights or 0) + 2
    back = max(_WEEK, nights * _DAY, (rules.min_rest or timedelta()) + _DAY)
    first = _week_start(start.astimezone(tz).date(), tz) - back
    last = _week_start((end - timedelta(microseconds=1)).astimezone(tz).date(), tz) + _WEEK
    return first, last + max(_DAY, (rules.min_rest or timedelta()) + _DAY)


def _week_start(day: date, tz: ZoneInfo) -> datetime:
    """Monday 00:00 local of the week of `day`, as an instant."""
    return local_day_start(day - timedelta(days=day.weekday()), tz)


def _tier1(
    segments: list[Segment], facts: LineFacts, start: datetime, end: datetime
) -> list[Violation]:
    gaps = gaps_in_service(find_gaps(segments), facts.service_hours, facts.tz, start, end)
    hours = facts.service_hours is not None
    detail = f"nobody on tier 1 {'within service hours' if hours else '(always staffed)'}"
    said = (("within", "service-hours" if hours else "always"),)
    return [Violation(TIER_1, g.start, g.end, detail, facts=said) for g in gaps]


def _qualified(
    wanted: QualifiedWindow,
    segments: list[Segment],
    facts: LineFacts,
    start: datetime,
    end: datetime,
) -> list[Violation]:
    windows = service_windows((wanted.window,), facts.tz, start, end)
    lacking = lacking_qualification(segments, windows, wanted.qualification, facts.qualifications)
    detail = f"no {wanted.qualification} on duty"
    said = (("qualification", wanted.qualification),)
    return [Violation(QUALIFIED, lo, hi, detail, facts=said) for lo, hi in lacking]


def _nights(
    most: int, night: tuple[time, time], shifts: dict[str, list[Interval]], tz: ZoneInfo
) -> list[Violation]:
    """Night shifts on consecutive local days: each one past the first `most` of a run is a
    violation of its own (over that shift), so what is reported does not depend on how far
    back the run was read, and a later edit that breaks the run clears exactly those."""
    found = []
    windows: dict[date, Interval] = {}  # each day's night window, converted once for all
    for counselor, intervals in shifts.items():
        covered = nights_covered(intervals, night, tz, windows)
        streak, previous = 0, None
        for day in sorted(covered):
            streak = streak + 1 if previous is not None and day == previous + _DAY else 1
            previous = day
            if streak > most and covered[day] != covered[day - _DAY]:
                shift = covered[day]
                began = shift[0].astimezone(tz)
                detail = (
                    f"{counselor}: more than {most} night shifts in a row "
                    f"(the one starting {began:%Y-%m-%d %H:%M})"
                )
                said = (("most", str(most)), ("began", f"{began:%Y-%m-%d %H:%M}"))
                found.append(Violation(NIGHTS, shift[0], shift[1], detail, counselor, said))
    return found


def _rest(least: timedelta, shifts: dict[str, list[Interval]]) -> list[Violation]:
    found = []
    for counselor, intervals in shifts.items():
        for (_, ended), (began, _) in pairwise(intervals):
            if began - ended < least:
                detail = (
                    f"{counselor}: {_h(began - ended)} h of rest between shifts "
                    f"(at least {_h(least)})"
                )
                said = (("rest", _h(began - ended)), ("least", _h(least)))
                found.append(Violation(REST, ended, began, detail, counselor, said))
    return found


def _weekly(
    most: timedelta,
    shifts: dict[str, list[Interval]],
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
) -> list[Violation]:
    """Hours on duty per local calendar week (Monday 00:00 to Monday 00:00, elapsed time, so a
    DST night counts as it is worked)."""
    found = []
    monday = start.astimezone(tz).date()
    monday -= timedelta(days=monday.weekday())
    while (week_start := local_day_start(monday, tz)) < end:
        week_end = local_day_start(monday + _WEEK, tz)
        for counselor, intervals in shifts.items():
            worked = sum(
                (min(hi, week_end) - max(lo, week_start) for lo, hi in intervals
                 if overlaps((lo, hi), (week_start, week_end))),
                timedelta(),
            )  # fmt: skip
            if worked > most:
                detail = (
                    f"{counselor}: {_h(worked)} h in the week from {monday} (at most {_h(most)})"
                )
                said = (("worked", _h(worked)), ("monday", str(monday)), ("most", _h(most)))
                found.append(Violation(WEEKLY, week_start, week_end, detail, counselor, said))
        monday += _WEEK
    return found


def _h(span: timedelta) -> str:
    return f"{round(span.total_seconds() / 3600, 2):g}"
