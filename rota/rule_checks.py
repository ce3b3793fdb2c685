"""The pieces the coverage rules are checked with: shifts per counselor, night windows, and
stretches without a qualification (see `rota.rules` for the definitions)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from rota.localtime import to_instant
from rota.model import Segment

Interval = tuple[datetime, datetime]
_DAY = timedelta(days=1)


class Timeline(Protocol):
    """What answers "who is on duty over a window" (a `RotaHistory`, a `PreparedIndex`)."""

    def timeline(self, start: datetime, end: datetime) -> list[Segment]: ...


def overlaps(first: Interval, second: Interval) -> bool:
    return first[0] < second[1] and second[0] < first[1]


def counselor_shifts(segments: list[Segment]) -> dict[str, list[Interval]]:
    """Each counselor's shifts, in order: maximal stretches on duty in any tier, since a
    shift is one continuous stretch of duty on the line whatever the tier."""
    running: dict[str, datetime] = {}
    shifts: dict[str, list[Interval]] = {}
    last_end: datetime | None = None
    for segment in segments:
        on = {name for tier in segment.tiers for name in tier}
        if last_end is not None and segment.start != last_end:
            on_now: set[str] = set()
            _close(running, on_now, last_end, shifts)
        _close(running, on, segment.start, shifts)
        for name in on:
            running.setdefault(name, segment.start)
        last_end = segment.end
    if last_end is not None:
        _close(running, set(), last_end, shifts)
    return {name: sorted(found) for name, found in sorted(shifts.items())}


def _close(
    running: dict[str, datetime], on: set[str], at: datetime, out: dict[str, list[Interval]]
) -> None:
    for name in [name for name in running if name not in on]:
        out.setdefault(name, []).append((running.pop(name), at))


def night_window(day: date, night: tuple[time, time], tz: ZoneInfo) -> Interval:
    """The night window of local `day` as instants (by the one DST rule of `to_instant`)."""
    begin, finish = night
    finish_day = day + _DAY if finish <= begin else day
    return (
        to_instant(datetime.combine(day, begin), tz),
        to_instant(datetime.combine(finish_day, finish), tz),
    )


def nights_covered(
    shifts: list[Interval], night: tuple[time, time], tz: ZoneInfo
) -> dict[date, Interval]:
    """The local days whose night window one of `shifts` covers whole, each with that shift."""
    covered: dict[date, Interval] = {}
    for shift in shifts:
        day = shift[0].astimezone(tz).date() - _DAY
        while day <= shift[1].astimezone(tz).date():
            lo, hi = night_window(day, night, tz)
            if lo < hi and shift[0] <= lo and hi <= shift[1]:
                covered[day] = shift
            day += _DAY
    return covered


def lacking_qualification(
    segments: list[Segment],
    windows: list[Interval],
    qualification: str,
    qualifications: Mapping[str, frozenset[str]],
) -> list[Interval]:
    """The merged parts of `windows` where no counselor on duty (any tier) has
    `qualification`; `windows` sorted and disjoint, as `service_windows` gives them."""
    lacking: list[Interval] = []
    index = 0
    for lo, hi in windows:
        while index < len(segments) and segments[index].end <= lo:
            index += 1
        at = index
        while at < len(segments) and segments[at].start < hi:
            segment = segments[at]
            names = (name for tier in segment.tiers for name in tier)
            if not any(qualification in qualifications.get(name, ()) for name in names):
                piece = (max(segment.start, lo), min(segment.end, hi))
                if lacking and lacking[-1][1] == piece[0]:
                    lacking[-1] = (lacking[-1][0], piece[1])
                else:
                    lacking.append(piece)
            at += 1
    return lacking
