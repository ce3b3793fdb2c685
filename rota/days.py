"""Stretches of time cut at a line's local midnights: how a calendar shows a shift or a gap that
runs past midnight (a piece on each local day it touches)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from rota.localtime import as_utc, local_day_start

_DAY = timedelta(days=1)
T = TypeVar("T")

Piece = tuple[datetime, datetime, T]  # a stretch's part within one local day, UTC, with its tag


def day_bounds(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants where local day `first` begins and local day `last` ends (DST included)."""
    return local_day_start(first, tz), local_day_start(last + _DAY, tz)


def by_local_day(
    stretches: Iterable[tuple[datetime, datetime, T]], tz: ZoneInfo, first: date, last: date
) -> dict[date, list[Piece[T]]]:
    """Each stretch `[start, end)` cut at local midnights, each piece under its local day
    (days `first`..`last` only), in the order of the stretches given."""
    found: dict[date, list[Piece[T]]] = {}
    for start, end, tag in stretches:
        start, end = as_utc(start), as_utc(end)
        day = max(start.astimezone(tz).date(), first)
        while day <= last:
            lo, hi = local_day_start(day, tz), local_day_start(day + _DAY, tz)
            if lo >= end:
                break
            if hi > start:
                found.setdefault(day, []).append((max(lo, start), min(hi, end), tag))
            day += _DAY
    return found


def wall_range(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """`08:00-17:00` on the line's clock; a piece that ends at the next midnight ends `24:00`."""
    lo, hi = start.astimezone(tz), end.astimezone(tz)
    midnight = hi.date() > lo.date() and hi.time() == datetime.min.time()
    return f"{lo:%H:%M}-{'24:00' if midnight else f'{hi:%H:%M}'}"
