"""The sessions operators publish, one by one or as a weekly pattern, in the line's zone; the
free places counselors book from; cancelling a session (its counselors are told).

A wall-clock start is read by the rota's one DST rule (`rota.localtime.to_instant`): a start in
a spring-forward gap moves forward by the gap, a repeated one means its first occurrence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.care.vocabulary import WEEKDAYS
from hotline.models import CarePattern, CareSession, Hotline
from rota.localtime import to_instant

HORIZON = timedelta(days=92)  # "the next 3 months" a counselor books within
LONGEST_PATTERN = timedelta(days=366)
MINUTES = (10, 480)
CAPACITY = (1, 200)
TEXT_MAX = 200
# The days a session may be on: those the web forms accept (`SANE_DATES`), far from the ends
# of `datetime` (years 1 and 9999), where reading a wall time in a zone overflows.
DAYS = (date(2000, 1, 1), date(2099, 12, 31))


class BadSession(ValueError):
    """A session cannot be published as given; `code` says why (the web layer translates)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class SessionInput:
    place: str
    provider: str
    minutes: int
    capacity: int


@dataclass(frozen=True, slots=True)
class FreeSession:
    id: int
    start: datetime
    minutes: int
    place: str
    provider: str
    free: int


def publish_session(
    session: Session, line: Hotline, data: SessionInput, wall: datetime, now: datetime, actor: str
) -> CareSession:
    """One session starting at local `wall` on the line."""
    _check(data)
    _check_days(wall.date())
    start = to_instant(wall.replace(tzinfo=None), ZoneInfo(line.timezone))
    if start <= now:
        raise BadSession("past", "the session would start in the past")
    made = _session(line, data, start, now, actor)
    session.add(made)
    session.flush()
    return made


def publish_weekly(
    session: Session,
    line: Hotline,
    data: SessionInput,
    days: tuple[str, ...],
    wall: time,
    first: date,
    last: date,
    now: datetime,
    actor: str,
) -> tuple[CarePattern, int]:
    """A session at `wall` on each of `days` from `first` to `last` (inclusive, local days);
    those already past are left out. Returns the pattern and how many sessions it made."""
    _check(data)
    if not days or any(day not in WEEKDAYS for day in days):
        raise BadSession("days", "choose at least one weekday")
    _check_days(first, last)
    if last < first:
        raise BadSession("range", "the last day is before the first")
    if last - first > LONGEST_PATTERN:
        raise BadSession("too-long", "a pattern covers at most a year")
    tz = ZoneInfo(line.timezone)
    starts = [
        start
        for day in _days(first, last)
        if WEEKDAYS[day.weekday()] in days
        and (start := to_instant(datetime.combine(day, wall), tz)) > now
    ]
    if not starts:
        raise BadSession("empty", "the pattern makes no session in the future")
    pattern = CarePattern(
        hotline_id=line.id,
        place=data.place.strip(),
        provider=data.provider.strip(),
        days=[day for day in WEEKDAYS if day in days],
        wall=wall.strftime("%H:%M"),
        minutes=data.minutes,
        capacity=data.capacity,
        first_day=first,
        last_day=last,
        created_at=now,
        created_by=actor,
    )
    session.add(pattern)
    session.flush()
    for start in starts:
        made = _session(line, data, start, now, actor)
        made.pattern_id = pattern.id
        session.add(made)
    session.flush()
    return pattern, len(starts)


def free_sessions(
    session: Session, line_ids: list[int], now: datetime, *, limit: int | None = None
) -> list[FreeSession]:
    """Open sessions of these lines with a free place, starting within the next 3 months."""
    query = (
        select(
            CareSession.id,
            CareSession.start,
            CareSession.minutes,
            CareSession.place,
            CareSession.provider,
            CareSession.capacity - CareSession.booked,
        )
        .where(
            CareSession.hotline_id.in_(line_ids),
            CareSession.cancelled_at.is_(None),
            CareSession.start > now,
            CareSession.start < now + HORIZON,
            CareSession.booked < CareSession.capacity,
        )
        .order_by(CareSession.start, CareSession.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return [FreeSession(*row) for row in session.execute(query)]


def _check(data: SessionInput) -> None:
    if not data.place.strip() or not data.provider.strip():
        raise BadSession("blank", "a session needs a place and a counselor or doctor")
    if len(data.place) > TEXT_MAX or len(data.provider) > TEXT_MAX:
        raise BadSession("too-long-text", f"place and provider take at most {TEXT_MAX} characters")
    if not MINUTES[0] <= data.minutes <= MINUTES[1]:
        raise BadSession("minutes", f"a session lasts {MINUTES[0]} to {MINUTES[1]} minutes")
    if not CAPACITY[0] <= data.capacity <= CAPACITY[1]:
        raise BadSession("capacity", f"a session has {CAPACITY[0]} to {CAPACITY[1]} places")


def _check_days(*days: date) -> None:
    if not all(DAYS[0] <= day <= DAYS[1] for day in days):
        raise BadSession("out-of-range", f"a day from {DAYS[0]} to {DAYS[1]}")


def _session(
    line: Hotline, data: SessionInput, start: datetime, now: datetime, actor: str
) -> CareSession:
    return CareSession(
        hotline_id=line.id,
        place=data.place.strip(),
        provider=data.provider.strip(),
        start=start,
        minutes=data.minutes,
        capacity=data.capacity,
        booked=0,
        created_at=now,
        created_by=actor,
    )


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


@dataclass(frozen=True, slots=True)
class ListedSession:
    id: int
    line: str
    timezone: str
    start: datetime
    minutes: int
    place: str
    provider: str
    capacity: int
    booked: int
    cancelled: bool


def upcoming_sessions(
    session: Session, line_ids: list[int], now: datetime, *, limit: int = 500
) -> list[ListedSession]:
    """The lines' sessions from today on (those of the last 24 hours too, for reception),
    within the booking horizon, cancelled ones included, soonest first."""
    rows = session.execute(
        select(
            CareSession.id,
            Hotline.name,
            Hotline.timezone,
            CareSession.start,
            CareSession.minutes,
            CareSession.place,
            CareSession.provider,
            CareSession.capacity,
            CareSession.booked,
            CareSession.cancelled_at.is_not(None),
        )
        .join(Hotline, Hotline.id == CareSession.hotline_id)
        .where(
            CareSession.hotline_id.in_(line_ids),
            CareSession.start > now - timedelta(days=1),
            CareSession.start < now + HORIZON,
        )
        .order_by(CareSession.start, CareSession.id)
        .limit(limit)
    )
    # More columns than select()'s typed overloads know: read as plain tuples.
    found: list[tuple[Any, ...]] = [tuple(row) for row in rows]
    return [ListedSession(*row) for row in found]
