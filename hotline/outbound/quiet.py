"""Quiet hours: a person's nightly window in which non-urgent messages wait (never dropped);
urgent ones ignore it. The window is wall-clock time in the person's zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from hotline.models import Hotline, User
from rota.localtime import to_instant

_WINDOW = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])-([01][0-9]|2[0-3]):([0-5][0-9])")


@dataclass(frozen=True, slots=True)
class Waiting:
    """A non-urgent message due now, and whom it is for."""

    message_id: int
    user_id: int | None
    counselor_id: int | None
    hotline_id: int | None


def parse_window(text: str) -> tuple[time, time]:
    """`22:00-07:00` as (start, end); an end at or before the start is on the next day. Raises
    ValueError naming the form; a window that starts where it ends would never end."""
    found = _WINDOW.fullmatch(text.strip())
    if found is None:
        raise ValueError(f"{text!r} is not a window like 22:00-07:00")
    start = time(int(found[1]), int(found[2]))
    end = time(int(found[3]), int(found[4]))
    if start == end:
        raise ValueError(f"{text!r} starts where it ends: quiet hours must end")
    return start, end


def quiet_until(window: str, tz: ZoneInfo, at: datetime) -> datetime | None:
    """When the quiet window around instant `at` ends (UTC); None when `at` is outside it.

    The window is read as wall-clock times in `tz` by the rota's DST rule (`to_instant`): a
    start or end in a spring-forward gap moves forward by the gap, one in a fall-back hour
    means its first occurrence. So 22:00-07:00 lasts 8 hours on the London spring-forward
    night and 10 on the fall-back night. The window is half-open: at its end, messages go.
    """
    start, end = parse_window(window)
    today = at.astimezone(tz).date()
    # The window around `at` began on its local day or on the day before (when it crosses midnight).
    for day in (today - timedelta(days=1), today):
        begins = to_instant(datetime.combine(day, start), tz)
        end_day = day if end > start else day + timedelta(days=1)
        ends = to_instant(datetime.combine(end_day, end), tz)
        if begins <= at < ends:
            return ends
    return None


@cache
def zone_names() -> frozenset[str]:
    """The IANA zones a person may choose (read once per process)."""
    return frozenset(available_timezones())


def zone_named(*names: str | None) -> ZoneInfo:
    """The first of `names` that is a known IANA zone, else UTC."""
    for name in names:
        if not name:
            continue
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")


def quiet_ends(session: Session, waiting: list[Waiting], now: datetime) -> dict[int, datetime]:
    """Of these messages, those whose recipient is in quiet hours at `now`, and when each may
    go. The recipient is the message's user, else the user account of its counselor; the zone
    is theirs, else that of the message's line, else UTC."""
    users = {w.user_id for w in waiting if w.user_id is not None}
    counselors = {w.counselor_id for w in waiting if w.user_id is None and w.counselor_id}
    if not users and not counselors:
        return {}
    by_user: dict[int, tuple[str, str | None]] = {}
    by_counselor: dict[int, tuple[str, str | None]] = {}
    for user_id, counselor_id, window, zone in session.execute(
        select(User.id, User.counselor_id, User.quiet_hours, User.timezone)
        .where(
            User.quiet_hours.is_not(None),
            or_(User.id.in_(sorted(users)), User.counselor_id.in_(sorted(counselors))),
        )
        .order_by(User.id)
    ):
        if window is None:
            continue
        by_user[user_id] = (window, zone)
        if counselor_id is not None:
            by_counselor.setdefault(counselor_id, (window, zone))  # the oldest account wins
    zones = _line_zones(session, {w.hotline_id for w in waiting if w.hotline_id is not None})
    ends: dict[int, datetime] = {}
    for each in waiting:
        if each.user_id is not None:
            person = by_user.get(each.user_id)
        else:
            person = by_counselor.get(each.counselor_id or 0)
        if person is None:
            continue
        end = _end_of(person, zones.get(each.hotline_id or 0), now)
        if end is not None:
            ends[each.message_id] = end
    return ends


def _end_of(
    person: tuple[str, str | None], line_zone: str | None, now: datetime
) -> datetime | None:
    window, zone = person
    try:
        return quiet_until(window, zone_named(zone, line_zone), now)
    except ValueError:  # a malformed stored window holds nothing back
        return None


def _line_zones(session: Session, line_ids: set[int]) -> dict[int, str]:
    if not line_ids:
        return {}
    rows = session.execute(
        select(Hotline.id, Hotline.timezone).where(Hotline.id.in_(sorted(line_ids)))
    )
    return {line_id: zone for line_id, zone in rows}
