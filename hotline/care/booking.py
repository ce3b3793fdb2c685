"""Booking a caller into a session, from the call: the last place goes to exactly one booking.

The place is taken by one conditional UPDATE (`booked < capacity`, still open, still ahead),
checked by its row count: on PostgreSQL a second transaction waits for the first's row lock
and then finds the session full; on SQLite writes take turns. Everything that can refuse a
booking is checked before that UPDATE, so a refusal writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.care.codes import new_code
from hotline.care.reminders import cancel_reminder, reschedule_reminder, schedule_reminder
from hotline.models import Booking, Call, CareSession, Hotline
from hotline.phones import normalize_phone, region_of
from hotline.secrets_at_rest import DataKeys

CODE_TRIES = 5


class BadBooking(ValueError):
    """Refused; `code` says why (the web layer says it in the reader's language)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class BookingInput:
    session_id: int
    consent: bool
    phone: str  # "" for none; never stored but sealed in the reminder


@dataclass(frozen=True, slots=True)
class Booked:
    booking: Booking
    held: CareSession
    reminder: bool  # a reminder is queued (the number is sealed inside it)
    too_late_to_remind: bool = False  # a number was given, but the reminder time has passed


def call_line(call: Call) -> int | None:
    """The line a call's follow-up belongs to: the one the caller dialed."""
    return call.hotline_id if call.hotline_id is not None else call.answered_line_id


def book(
    session: Session,
    call: Call,
    data: BookingInput,
    now: datetime,
    *,
    actor: str,
    keys: DataKeys,
    reminders_from: str | None = None,
) -> Booked:
    """`reminders_from`: the number reminders are sent from (`HOTLINE_SMS_FROM`)."""
    line = session.get(Hotline, call_line(call) or 0)
    held = session.get(CareSession, data.session_id)
    if line is None or held is None or held.hotline_id != line.id:
        raise BadBooking("unknown-session", "no such session on this call's line")
    phone = _consented_phone(data, line)
    if phone is not None:
        _check_sender(session, reminders_from)
    _take_place(session, held, now)
    booking = _insert(session, held, call, now, actor, consent=phone is not None)
    reminder = phone is not None and schedule_reminder(
        session, keys, booking, held, line, phone, now
    )
    return Booked(booking, held, reminder, too_late_to_remind=phone is not None and not reminder)


def _consented_phone(data: BookingInput, line: Hotline) -> str | None:
    typed = data.phone.strip()
    if not typed:
        return None
    if not data.consent:
        raise BadBooking(
            "contact-without-consent", "a number is kept only with the caller's consent"
        )
    phone = normalize_phone(typed, region_of(line.number))
    if phone is None:
        raise BadBooking("bad-phone", "not a phone number that can take a text")
    return phone


def _check_sender(session: Session, reminders_from: str | None) -> None:
    """A reminder must come from a number that is no line's: a reply to a line's number is
    answered with where to call (naming the line), which would tell whoever holds the caller's
    phone that they called a crisis line. A reply to the outbox's own number gets no answer."""
    if not reminders_from or reminders_from.startswith("MG"):  # a Messaging Service: see docs
        return
    line = session.scalar(select(Hotline.key).where(Hotline.number == reminders_from))
    if line is not None:
        raise BadBooking(
            "sender-is-a-line",
            f"HOTLINE_SMS_FROM is the number of the line {line!r}: reminders must come from a "
            "number of their own",
        )


def _take_place(session: Session, held: CareSession, now: datetime) -> None:
    taken = session.execute(
        update(CareSession)
        .where(
            CareSession.id == held.id,
            CareSession.cancelled_at.is_(None),
            CareSession.start > now,
            CareSession.booked < CareSession.capacity,
        )
        .values(booked=CareSession.booked + 1)
        .execution_options(synchronize_session=False)
    )
    session.refresh(held)
    if getattr(taken, "rowcount", 0) == 1:
        return
    if held.cancelled_at is not None:
        raise BadBooking("cancelled", "the session has been cancelled")
    if held.start <= now:
        raise BadBooking("past", "the session has started or is over")
    raise BadBooking("full", "the session is full")


def _insert(
    session: Session, held: CareSession, call: Call, now: datetime, actor: str, *, consent: bool
) -> Booking:
    """The booking under a fresh code (another try on the rare code already in use)."""
    for _ in range(CODE_TRIES):
        booking = Booking(
            code=new_code(),
            session_id=held.id,
            hotline_id=held.hotline_id,
            call_id=call.id,
            counselor_id=call.answered_by_id,
            booked_by=actor,
            booked_at=now,
            state="booked",
            reminder_consent=consent,
        )
        try:
            with session.begin_nested():
                session.add(booking)
        except IntegrityError:
            taken = select(Booking.id).where(Booking.code == booking.code)
            if session.scalar(taken) is None:
                raise
            continue
        return booking
    raise RuntimeError("no free booking code after several tries")


def release_booking(session: Session, booking: Booking, now: datetime, *, state: str) -> None:
    """The booking ends without a visit (`cancelled`): its place is free again and its
    reminder (with the number) is cancelled."""
    booking.state, booking.marked_at = state, now
    _give_back_place(session, booking.session_id)
    cancel_reminder(session, booking.reminder_key, now)


def _give_back_place(session: Session, session_id: int) -> None:
    session.execute(
        update(CareSession)
        .where(CareSession.id == session_id, CareSession.booked > 0)
        .values(booked=CareSession.booked - 1)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True, slots=True)
class Moved:
    booking: Booking
    held: CareSession  # the new session
    reminder: str  # "moved", "too-late" (erased), or "none" (no reminder waiting)


def changeable_booking(session: Session, booking_id: int, now: datetime) -> Booking:
    """The booking, locked for this transaction, when it may still be cancelled or moved:
    booked, and its session not started (a concurrent change waits for the lock, then finds
    it changed)."""
    booking = session.scalar(
        select(Booking)
        .where(Booking.id == booking_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if booking is None:
        raise BadBooking("unknown-booking", "no such booking")
    if booking.state != "booked":
        raise BadBooking("not-booked", "the booking is no longer booked")
    held = session.get(CareSession, booking.session_id)
    if held is None or held.start <= now:
        raise BadBooking("over", "the booking's session has started or is over")
    return booking


def cancel_booking(session: Session, booking: Booking, now: datetime, *, actor: str) -> bool:
    """Cancel a booking (from `changeable_booking`): its place is free again, its reminder
    cancelled and the number erased. True when a reminder was cancelled."""
    had_reminder = booking.reminder_key is not None
    release_booking(session, booking, now, state="cancelled")
    booking.marked_by = actor
    return had_reminder


def move_booking(
    session: Session, booking: Booking, session_id: int, now: datetime, *, actor: str
) -> Moved:
    """Move a booking (from `changeable_booking`) to another session of its line, under the
    same code: the new place is taken first (a refusal changes nothing), then the old one is
    given back, and the reminder follows (or is erased when too late for the new time)."""
    held = session.get(CareSession, session_id)
    if held is None or held.hotline_id != booking.hotline_id:
        raise BadBooking("unknown-session", "no such session on this booking's line")
    if held.id == booking.session_id:
        raise BadBooking("same-session", "the booking is in that session already")
    _take_place(session, held, now)
    _give_back_place(session, booking.session_id)
    booking.session_id = held.id
    line = session.get(Hotline, booking.hotline_id)
    assert line is not None  # a booking's line (foreign key)
    reminder = reschedule_reminder(session, booking, held, line, now)
    return Moved(booking, held, reminder)


def bookings_of_call(session: Session, call_id: int) -> list[tuple[Booking, CareSession]]:
    rows = session.execute(
        select(Booking, CareSession)
        .join(CareSession, CareSession.id == Booking.session_id)
        .where(Booking.call_id == call_id)
        .order_by(Booking.booked_at)
    )
    return [(booking, held) for booking, held in rows]
