"""The pieces the coverage rules are checked with: shifts per counselor, night windows, and
stretches without a qualification (see `rota.rules` for the definitions)."""

from __future__ import annotations

from bisect import bisect_right
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


class ResolvedTimeline:
    """A timeline resolved once over `[start, end)` that answers for any window within it, so
    a caller that must look at the segments first (whose qualifications to read) does not
    resolve the rota twice."""

    def __init__(self, segments: list[Segment]) -> None:
        self.segments = segments
        self._starts = [segment.start for segment in segments]

    def timeline(self, start: datetime, end: datetime) -> list[Segment]:
        if self.segments and (start < self.segments[0].start or end > self.segments[-1].end):
            raise ValueError("asked beyond the window the timeline was resolved for")
        found = []
        for segment in self.segments[max(0, bisect_right(self._starts, start) - 1) :]:
            if segment.start >= end:
                break
            if segment.end > start:
                found.append(
                    Segment(max(segment.start, start), min(segment.end, end), segment.tiers)
                )
        return found

    def counselors(self) -> set[str]:
        return {name for segment in self.segments for tier in segment.tiers for name in tier}


def night_window(day: date, night: tuple[time, time], tz: ZoneInfo) -> Interval:
    """The night window of local `day` as instants (by the one DST rule of `to_instant`)."""
    begin, finish = night
    finish_day = day + _DAY if finish <= begin else day
    return (
        to_instant(datetime.combine(day, begin), tz),
        to_instant(datetime.combine(finish_day, finish), tz),
    )


def nights_covered(
    shifts: list[Interval],
    night: tuple[time, time],
    tz: ZoneInfo,
    windows: dict[date, Interval] | None = None,
) -> dict[date, Interval]:
    """The local days whose night window one of `shifts` covers whole, each with that shift.
    `windows`: the night windows already converted, by day (filled in as they are), for a
    caller that asks about many counselors of one line."""
    known: dict[date, Interval] = {} if windows is None else windows
    covered: dict[date, Interval] = {}
    for shift in shifts:
        day = shift[0].astimezone(tz).date() - _DAY
        while day <= shift[1].astimezone(tz).date():
            window = known.get(day)
            if window is None:
                window = known[day] = night_window(day, night, tz)
            lo, hi = window
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
