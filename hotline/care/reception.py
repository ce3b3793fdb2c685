"""At the clinic's desk: a booking is marked attended or missed by its code alone.

A mark is taken from the session's local day until a day after it ends; a code outside that
window, unknown, cancelled or already marked is refused with the reason, and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.care.codes import read_code
from hotline.care.reminders import cancel_reminder
from hotline.care.scope import on_lines
from hotline.care.vocabulary import MARKS
from hotline.models import Booking, CareSession, Hotline
from hotline.records.scope import Viewer

MARKABLE_AFTER_END = timedelta(days=1)


class BadMark(ValueError):
    """`code` says why; `when` is the session's start where that explains it."""

    def __init__(self, code: str, message: str, when: datetime | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.when = when


@dataclass(frozen=True, slots=True)
class Marked:
    code: str
    mark: str
    start: datetime
    timezone: str
    place: str


def mark_booking(session: Session, viewer: Viewer, typed: str, mark: str, now: datetime) -> Marked:
    if mark not in MARKS:
        raise BadMark("unknown-mark", "a booking is marked attended or missed")
    code = read_code(typed)
    if code is None:
        raise BadMark("not-a-code", "a booking code is six letters and digits")
    found = session.execute(
        select(Booking, CareSession, Hotline.timezone)
        .join(CareSession, CareSession.id == Booking.session_id)
        .join(Hotline, Hotline.id == Booking.hotline_id)
        .where(Booking.code == code, on_lines(viewer, Booking.hotline_id))
    ).first()
    if found is None:
        raise BadMark("unknown-code", "no booking has this code")
    booking, held, zone = found
    _check(booking, held, zone, mark, now)
    booking.state, booking.marked_at, booking.marked_by = mark, now, viewer.username
    cancel_reminder(session, booking.reminder_key, now)
    return Marked(code, mark, held.start, zone, held.place)


def _check(booking: Booking, held: CareSession, zone: str, mark: str, now: datetime) -> None:
    if booking.state == "cancelled":
        raise BadMark("cancelled", "this booking was cancelled", held.start)
    if booking.state != "booked":
        raise BadMark("already-" + booking.state, "this booking is marked already", held.start)
    tz = ZoneInfo(zone)
    if now.astimezone(tz).date() < held.start.astimezone(tz).date():
        raise BadMark("not-yet", "the session is on a later day", held.start)
    if mark == "missed" and now < held.start:
        raise BadMark("missed-too-early", "the session has not started yet", held.start)
    end = held.start + timedelta(minutes=held.minutes)
    if now > end + MARKABLE_AFTER_END:
        raise BadMark("expired", "the session was too long ago to mark", held.start)
