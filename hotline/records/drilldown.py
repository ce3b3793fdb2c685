"""From a figure to the calls it counts: the call log's filters for each figure of the page.

Repeat callers have none on purpose: a list of one person's calls is what must not exist.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from hotline.records.calllog import CallFilters
from hotline.records.definitions import FIGURES, Counted
from hotline.records.statistics import CounselorFigures, Statistics

WEEKDAYS = range(1, 8)
HOURS = range(24)


@dataclass(frozen=True, slots=True)
class Bucket:
    """A day, week (from Monday) or month of the series, clipped to the question's days."""

    start: date
    end: date
    calls: int
    taken: int


@dataclass(frozen=True, slots=True)
class Drill:
    """One figure, its value, and the call log's filters that list exactly the calls counted."""

    name: str
    count: int
    filters: CallFilters


def bucket_start(day: date, bucket: str) -> date:
    if bucket == "week":
        return day - timedelta(days=day.weekday())
    if bucket == "month":
        return day.replace(day=1)
    return day


def _bucket_end(start: date, bucket: str) -> date:
    if bucket == "week":
        return start + timedelta(days=6)
    if bucket == "month":
        return start.replace(day=calendar.monthrange(start.year, start.month)[1])
    return start


def series(stats: Statistics) -> list[Bucket]:
    """Calls and taken calls per bucket; every bucket of the range, empty ones too."""
    q = stats.question
    totals: dict[date, list[int]] = {}
    for stamp, (calls, taken) in stats.hours.items():
        key = bucket_start(date.fromisoformat(stamp[:10]), q.bucket)
        found = totals.setdefault(key, [0, 0])
        found[0] += calls
        found[1] += taken
    if q.start is not None and q.end is not None:
        day = bucket_start(q.start, q.bucket)
        while day <= q.end:
            totals.setdefault(day, [0, 0])
            day = _bucket_end(day, q.bucket) + timedelta(days=1)
    return [
        Bucket(
            max(start, q.start) if q.start else start,
            min(_bucket_end(start, q.bucket), q.end) if q.end else _bucket_end(start, q.bucket),
            calls,
            taken,
        )
        for start, (calls, taken) in sorted(totals.items())
    ]


def heatmap(stats: Statistics) -> dict[tuple[int, int], tuple[int, int]]:
    """(weekday 1-7, local hour) -> (calls, calls no counselor took)."""
    cells = {(day, hour): [0, 0] for day in WEEKDAYS for hour in HOURS}
    for stamp, (calls, taken) in stats.hours.items():
        cell = cells[(int(stamp[14]), int(stamp[11:13]))]
        cell[0] += calls
        cell[1] += calls - taken
    return {key: (calls, missed) for key, (calls, missed) in cells.items()}


def base_filters(stats: Statistics) -> CallFilters:
    q = stats.question
    return CallFilters(start=q.start, end=q.end, lines=q.lines)


def drills(stats: Statistics) -> list[Drill]:
    """Every figure that has a list behind it (tests hold each count to its list's length)."""
    base = base_filters(stats)
    found = [
        Drill(name, stats.counts[name], replace(base, counted=Counted(figure=name)))
        for name in FIGURES
    ]
    for name, pairs in stats.outcomes.items():
        for value, count in pairs:
            found.append(Drill(f"{name}:{value}", count, outcome_filters(base, name, value)))
    for person in stats.counselors:
        found.extend(counselor_drills(base, person))
    for (day, hour), (calls, missed) in heatmap(stats).items():
        cell = Counted(weekday=day, hour=hour)
        found.append(Drill(f"calls@{day}-{hour}", calls, replace(base, counted=cell)))
        missing = replace(cell, figure="not-taken")
        found.append(Drill(f"not-taken@{day}-{hour}", missed, replace(base, counted=missing)))
    if stats.question.start is not None and stats.question.end is not None:
        for bucket in series(stats):
            days = replace(base, start=bucket.start, end=bucket.end)
            found.append(Drill(f"calls@{bucket.start}", bucket.calls, days))
            taken = replace(days, counted=Counted(figure="taken"))
            found.append(Drill(f"taken@{bucket.start}", bucket.taken, taken))
    return found


def outcome_filters(base: CallFilters, name: str, value: str) -> CallFilters:
    """Calls whose outcome has `value` in the field `name` (the call log has two of its own)."""
    if name == "call_type":
        return replace(base, call_type=value)
    if name == "risk":
        return replace(base, risk=value)
    values: dict[str, Any] = {name: value}
    return replace(base, counted=Counted(**values))


def counselor_drills(base: CallFilters, person: CounselorFigures) -> list[Drill]:
    """A counselor's row: the legs they were rung on, the calls they took, outcomes recorded."""
    key = person.counselor
    legs = {"rung": person.rung, "declined": person.declined, "not-answered": person.not_answered}
    found = [
        Drill(f"{leg}:{key}", count, replace(base, counted=Counted(rung=key, leg=leg)))
        for leg, count in legs.items()
    ]
    found.append(Drill(f"taken:{key}", person.taken, replace(base, counselor=key)))
    recorded = replace(base, counselor=key, counted=Counted(figure="outcome-recorded"))
    found.append(Drill(f"outcomes:{key}", person.outcomes, recorded))
    return found
