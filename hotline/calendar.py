"""RFC 5545 calendars of shifts, overrides and leave applied: one event per shift."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.duty import find_hotline
from hotline.models import Counselor, Hotline
from hotline.rota_versions import load_history
from rota.coverage import duty_shifts
from rota.model import Shift

# A shift that overlaps the window is shown whole; shifts are looked for this far around it.
_MARGIN = timedelta(days=31)


class UnknownCounselor(LookupError):
    """No counselor has that key."""


def hotline_calendar(session: Session, hotline_key: str, start: datetime, end: datetime) -> bytes:
    hotline = find_hotline(session, hotline_key)
    names = dict(session.execute(select(Counselor.key, Counselor.name)).all())
    calendar = _calendar(f"{hotline.name} ({hotline.key})")
    for shift in _line_shifts(session, hotline, start, end):
        calendar.add_component(
            _event(shift, hotline, names.get(shift.counselor, shift.counselor), start)
        )
    return bytes(calendar.to_ical())


def counselor_calendar(
    session: Session, counselor_key: str, start: datetime, end: datetime
) -> bytes:
    person = session.scalar(select(Counselor).where(Counselor.key == counselor_key))
    if person is None:
        raise UnknownCounselor(f"unknown counselor {counselor_key!r}")
    calendar = _calendar(f"{person.name} ({person.key})")
    for hotline in session.scalars(select(Hotline).order_by(Hotline.position)):
        for shift in _line_shifts(session, hotline, start, end):
            if shift.counselor == counselor_key:
                calendar.add_component(_event(shift, hotline, person.name, start))
    return bytes(calendar.to_ical())


def _line_shifts(session: Session, hotline: Hotline, start: datetime, end: datetime) -> list[Shift]:
    timeline = load_history(session, hotline.id).timeline(start - _MARGIN, end + _MARGIN)
    return [s for s in duty_shifts(timeline) if s.start < end and s.end > start]


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", "-//hotline//rota//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    return calendar


def _event(shift: Shift, hotline: Hotline, name: str, made_at: datetime) -> Event:
    event = Event()
    stamp = shift.start.strftime("%Y%m%dT%H%M%SZ")
    event.add("uid", f"{hotline.key}-{shift.counselor}-t{shift.tier}-{stamp}@hotline")
    event.add("summary", f"{name} · {hotline.name} · tier {shift.tier}")
    event.add("dtstart", shift.start)
    event.add("dtend", shift.end)
    event.add("dtstamp", made_at)
    return event
