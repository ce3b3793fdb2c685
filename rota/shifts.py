"""Expansion of one pattern into concrete duties: weekly slots and rotation turns, in UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rota.localtime import local_day_start, to_instant
from rota.model import Pattern, Rotation, Weekly

_DAY = timedelta(days=1)
# A slot starting on local day D ends on D+1 at the latest, plus at most a DST shift: going back
# two days finds every slot that may still be running at `start`, even where a gap meets midnight.
_LOOKBACK = 2 * _DAY


@dataclass(frozen=True, slots=True)
class Stint:
    """One weekly slot or rotation turn: `counselors` on duty together over `[start, end)` (UTC)."""

    start: datetime
    end: datetime
    counselors: tuple[str, ...]


def expand_pattern(pattern: Pattern, tz: ZoneInfo, start: datetime, end: datetime) -> list[Stint]:
    """Every duty of `pattern` that overlaps `[start, end)`, whole (not clipped to the window),
    in order of start. The validity window is part of the pattern and does clip a rotation.
    """
    if isinstance(pattern.shape, Weekly):
        return _expand_weekly(pattern, pattern.shape, tz, start, end)
    return _expand_rotation(pattern, pattern.shape, tz, start, end)


def _expand_weekly(
    pattern: Pattern, shape: Weekly, tz: ZoneInfo, start: datetime, end: datetime
) -> list[Stint]:
    """A slot belongs to the local day it starts on; the validity window filters those days."""
    day = start.astimezone(tz).date() - _LOOKBACK
    last = end.astimezone(tz).date()
    if pattern.valid_from is not None:
        day = max(day, pattern.valid_from)
    if pattern.valid_until is not None:
        last = min(last, pattern.valid_until)
    end_offset = _DAY if shape.end <= shape.start else timedelta()
    duties = []
    while day <= last:
        if day.weekday() in shape.days:
            slot_start = to_instant(datetime.combine(day, shape.start), tz)
            slot_end = to_instant(datetime.combine(day + end_offset, shape.end), tz)
            # A slot squeezed by a spring-forward gap can come out empty or reversed: no duty.
            if slot_start < slot_end and slot_start < end and slot_end > start:
                duties.append(Stint(slot_start, slot_end, pattern.counselors))
        day += _DAY
    return duties


def _expand_rotation(
    pattern: Pattern, shape: Rotation, tz: ZoneInfo, start: datetime, end: datetime
) -> list[Stint]:
    """Turns in list order from the first hand-over, clipped to the pattern's validity window."""
    if shape.every.amount < 1:
        raise ValueError(f"a rotation hands over every {shape.every.amount}: must be at least 1")
    if not pattern.counselors:
        return []
    wall = _wall_clock(shape.start, tz)
    lower = to_instant(wall, tz)
    if pattern.valid_from is not None:
        lower = max(lower, local_day_start(pattern.valid_from, tz))
    upper = None
    if pattern.valid_until is not None:
        upper = local_day_start(pattern.valid_until + _DAY, tz)
    stop = end if upper is None else min(end, upper)
    if max(start, lower) >= stop:
        return []
    turn = _turn_at(shape, wall, tz, max(start, lower))
    duties = []
    turn_start = _handover(shape, wall, tz, turn)
    while turn_start < stop:
        turn_end = _handover(shape, wall, tz, turn + 1)
        counselor = pattern.counselors[turn % len(pattern.counselors)]
        clipped_end = turn_end if upper is None else min(turn_end, upper)
        duties.append(Stint(max(turn_start, lower), clipped_end, (counselor,)))
        turn, turn_start = turn + 1, turn_end
    return duties


def _wall_clock(moment: datetime, tz: ZoneInfo) -> datetime:
    """A rotation start as naive local wall clock (an aware one is read in the line's zone)."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(tz).replace(tzinfo=None)


def _handover(shape: Rotation, wall: datetime, tz: ZoneInfo, turn: int) -> datetime:
    """The instant turn number `turn` begins: elapsed hours, or the same local hour `d` days on."""
    if shape.every.unit == "h":
        return to_instant(wall, tz) + timedelta(hours=shape.every.amount * turn)
    return to_instant(wall + timedelta(days=shape.every.amount * turn), tz)


def _turn_at(shape: Rotation, wall: datetime, tz: ZoneInfo, at: datetime) -> int:
    """The turn running at `at` (not before the first), found arithmetically, not by stepping."""
    first = to_instant(wall, tz)
    if at <= first:
        return 0
    if shape.every.unit == "h":
        return (at - first) // timedelta(hours=shape.every.amount)
    # Counting local days can only overshoot: when `at` comes before that day's hand-over, or
    # when a gap pushed a hand-over past midnight. The next turn always starts on a later day.
    turn = (at.astimezone(tz).date() - wall.date()).days // shape.every.amount
    while turn > 0 and _handover(shape, wall, tz, turn) > at:
        turn -= 1
    return turn
