"""A line's calendar, a week or a month: the resolved rota per local day and tier, overrides and
leave marked, gaps (within service hours) and coverage-rule violations flagged.

Each stretch is resolved by the version in force then, so past days show what was in force,
whatever was edited since. Marks (override, leave) come from the version in force at the day's
local noon: a day with an edit in its middle is marked by what held most of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.desk.versions import VERSIONS
from hotline.models import Counselor, Hotline
from hotline.rota_rules import line_facts, line_rules
from rota.coverage import duty_shifts, find_gaps
from rota.days import by_local_day, day_bounds, wall_range
from rota.history import RotaHistory
from rota.localtime import to_instant
from rota.model import Segment, Version
from rota.rules import check_rules, scan_window
from rota.service_hours import gaps_in_service, service_windows

_DAY = timedelta(days=1)
MONTH, WEEK = "month", "week"


@dataclass(frozen=True, slots=True)
class Entry:
    """One counselor's duty on one tier within one day, as the calendar shows it."""

    counselor: str
    name: str
    hours: str
    qualifications: tuple[str, ...]
    by_override: bool


@dataclass(slots=True)
class Day:
    day: date
    in_range: bool
    tiers: dict[int, list[Entry]] = field(default_factory=dict)
    leave: list[tuple[str, str]] = field(default_factory=list)  # (name, hours)
    gaps: list[str] = field(default_factory=list)
    violations: list[tuple[str, str, str | None]] = field(default_factory=list)
    service: list[str] = field(default_factory=list)

    @property
    def has_gap(self) -> bool:
        return bool(self.gaps)


@dataclass(frozen=True, slots=True)
class Calendar:
    line: str
    name: str
    timezone: str
    view: str
    first: date  # the first day of the month or week shown
    days: list[Day]
    previous: date
    following: date
    has_service_hours: bool
    counselors: frozenset[str]  # everyone the versions shown name (for their leave)


def calendar_range(view: str, day: date) -> tuple[date, date, date, date]:
    """(first shown, last shown, previous page's day, next page's day): whole weeks from Monday."""
    if view == WEEK:
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6), monday - 7 * _DAY, monday + 7 * _DAY
    first = day.replace(day=1)
    following = (first + 32 * _DAY).replace(day=1)
    last = following - _DAY
    start = first - timedelta(days=first.weekday())
    end = last + timedelta(days=6 - last.weekday())
    return start, end, (first - _DAY).replace(day=1), following


def line_calendar(session: Session, line: Hotline, view: str, day: date) -> Calendar:
    """The calendar of `line` for the week or month of local `day`."""
    tz = ZoneInfo(line.timezone)
    first, last, previous, following = calendar_range(view, day)
    start, end = day_bounds(first, last, tz)
    staff = {
        key: (name, tuple(words))
        for key, name, words in session.execute(
            select(Counselor.key, Counselor.name, Counselor.qualifications)
        )
    }
    rules = line_rules(line)
    facts = line_facts(line, {key: frozenset(q) for key, (_, q) in staff.items()})
    scan_start = min(start, scan_window(rules, tz, start, end)[0]) if not rules.is_empty else start
    index = VERSIONS.index_from(session, line.id, scan_start)
    history = index.history
    in_month = (lambda d: d.month == day.month) if view == MONTH else (lambda d: True)
    days = {d: Day(d, in_month(d)) for d in _dates(first, last)}
    segments = index.timeline(start, end)
    _place_shifts(days, segments, history, staff, tz, first, last)
    _place_leave(days, history, staff, tz, first, last)
    hours = facts.service_hours
    gaps = gaps_in_service(find_gaps(segments), hours, tz, start, end)
    for d, hours_text in _by_day([(g.start, g.end) for g in gaps], tz, first, last):
        days[d].gaps.append(hours_text)
    if hours is not None:
        for d, hours_text in _by_day(service_windows(hours, tz, start, end), tz, first, last):
            days[d].service.append(hours_text)
    names = {key: value[0] for key, value in staff.items()}
    violations = check_rules(rules, index, facts, start, end)
    stretches = [(v.start, v.end, v) for v in violations]
    for d, pieces in by_local_day(stretches, tz, first, last).items():
        days[d].violations += [
            (v.rule, wall_range(lo, hi, tz), _about(v.rule, v.detail, v.counselor, names))
            for lo, hi, v in pieces
        ]
    shown = first if view == WEEK else day.replace(day=1)
    named = frozenset(
        name
        for version in history.versions
        for entries in (version.rota.patterns, version.rota.overrides)
        for entry in entries
        for name in entry.counselors
    )
    return Calendar(
        line.key, line.name, line.timezone, view, shown, list(days.values()), previous,
        following, hours is not None, named,
    )  # fmt: skip


def _by_day(
    spans: list[tuple[datetime, datetime]], tz: ZoneInfo, first: date, last: date
) -> list[tuple[date, str]]:
    """Each span's pieces within local days, as the wall-clock hours they cover."""
    pieces = by_local_day([(a, b, None) for a, b in spans], tz, first, last)
    return [(d, wall_range(lo, hi, tz)) for d, found in pieces.items() for lo, hi, _ in found]


def _dates(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _place_shifts(
    days: dict[date, Day],
    segments: list[Segment],
    history: RotaHistory,
    staff: dict[str, tuple[str, tuple[str, ...]]],
    tz: ZoneInfo,
    first: date,
    last: date,
) -> None:
    """Each shift cut at midnights into its days, under its tier; marked when an override of
    its tier (in the version in force at the day's noon) covers it."""
    shifts = duty_shifts(segments)
    pieces = by_local_day(((s.start, s.end, s) for s in shifts), tz, first, last)
    overrides = _overrides_by_day(history, tz, first, last)
    for piece_day, found in pieces.items():
        windows = overrides.get(piece_day, [])
        for lo, hi, shift in found:
            name, words = staff.get(shift.counselor, (shift.counselor, ()))
            marked = any(t == shift.tier and a < hi and lo < b for t, a, b in windows)
            entry = Entry(shift.counselor, name, wall_range(lo, hi, tz), words, marked)
            days[piece_day].tiers.setdefault(shift.tier, []).append(entry)


def _overrides_by_day(
    history: RotaHistory, tz: ZoneInfo, first: date, last: date
) -> dict[date, list[tuple[int, datetime, datetime]]]:
    placed: dict[int, list[tuple[int, datetime, datetime]]] = {}
    found: dict[date, list[tuple[int, datetime, datetime]]] = {}
    for day in _dates(first, last):
        version = history.version_at(to_instant(datetime.combine(day, time(12)), tz))
        if version is None:
            continue
        if version.number not in placed:
            placed[version.number] = [
                (o.tier, to_instant(o.start, tz), to_instant(o.end, tz))
                for o in version.rota.overrides
            ]
        lo, hi = day_bounds(day, day, tz)
        found[day] = [w for w in placed[version.number] if w[1] < hi and lo < w[2]]
    return found


def _place_leave(
    days: dict[date, Day],
    history: RotaHistory,
    staff: dict[str, tuple[str, tuple[str, ...]]],
    tz: ZoneInfo,
    first: date,
    last: date,
) -> None:
    for day in _dates(first, last):
        version: Version | None = history.version_at(
            to_instant(datetime.combine(day, time(12)), tz)
        )
        if version is None:
            continue
        lo, hi = day_bounds(day, day, tz)
        for leave in version.rota.leave:
            start, end = to_instant(leave.start, tz), to_instant(leave.end, tz)
            if start < hi and lo < end:
                name = staff.get(leave.counselor, (leave.counselor, ()))[0]
                days[day].leave.append((name, wall_range(max(lo, start), min(hi, end), tz)))


def _about(rule: str, detail: str, counselor: str | None, names: dict[str, str]) -> str | None:
    """What the violation concerns, in words that need no translation: the counselor's name,
    or the qualification that is missing (from the rule's own detail, `no X on duty`)."""
    if counselor is not None:
        return names.get(counselor, counselor)
    if rule == "qualified":
        return detail.removeprefix("no ").removesuffix(" on duty")
    return None
