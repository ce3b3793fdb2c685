"""A line's service hours: the weekly windows it is meant to be staffed, and gaps within them.

Windows are expanded as `weekly` patterns are (`rota.shifts`), so they keep the one DST rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from rota.localtime import as_utc
from rota.model import WEEKDAYS, Gap, Pattern, Weekly
from rota.shifts import expand_pattern

Window = tuple[datetime, datetime]


def read_service_hours(items: Sequence[Mapping[str, Any]]) -> tuple[Weekly, ...]:
    """Windows as the configuration writes them (`{days, start, end}`, like `weekly`);
    ValueError naming the window that is not of that form."""
    windows = []
    for n, item in enumerate(items):
        try:
            days = frozenset(WEEKDAYS.index(day) for day in item["days"])
            start, end = time.fromisoformat(item["start"]), time.fromisoformat(item["end"])
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(
                f"service_hours[{n}]: expected {{days, start, end}} like "
                f'{{days: [mon], start: "08:00", end: "17:00"}} ({error})'
            ) from None
        windows.append(Weekly(days, start, end))
    return tuple(windows)


def service_windows(
    hours: Iterable[Weekly], tz: ZoneInfo, start: datetime, end: datetime
) -> list[Window]:
    """The stretches of `[start, end)` within `hours` (wall clock in `tz`): clipped, merged
    where they overlap or meet, in order, UTC."""
    start, end = as_utc(start), as_utc(end)
    spans = [
        (max(duty.start, start), min(duty.end, end))
        for shape in hours
        for duty in expand_pattern(Pattern(1, shape, ()), tz, start, end)
    ]
    return _merged(spans)


def gaps_in_service(
    gaps: Iterable[Gap],
    hours: Sequence[Weekly] | None,
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
) -> list[Gap]:
    """The parts of `gaps` within `[start, end)` that fall in the service hours: clipped,
    merged, in order. `hours` None: the line is meant to be staffed all the time."""
    start, end = as_utc(start), as_utc(end)
    empty = _merged((max(gap.start, start), min(gap.end, end)) for gap in gaps)
    windows = [(start, end)] if hours is None else service_windows(hours, tz, start, end)
    return [Gap(lo, hi) for lo, hi in _intersection(empty, windows)]


def _merged(spans: Iterable[Window]) -> list[Window]:
    """Non-empty spans sorted and joined where they overlap or meet."""
    merged: list[Window] = []
    for lo, hi in sorted(span for span in spans if span[0] < span[1]):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
        else:
            merged.append((lo, hi))
    return merged


def _intersection(first: list[Window], second: list[Window]) -> list[Window]:
    """Where two sorted lists of disjoint, non-touching spans overlap (one merge-like pass);
    the pieces touch nowhere either, since a touch would need two touching spans in one list."""
    found: list[Window] = []
    i = j = 0
    while i < len(first) and j < len(second):
        lo, hi = max(first[i][0], second[j][0]), min(first[i][1], second[j][1])
        if lo < hi:
            found.append((lo, hi))
        if first[i][1] <= second[j][1]:
            i += 1
        else:
            j += 1
    return found
