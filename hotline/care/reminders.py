"""The one reminder a consenting caller gets: a neutral text the day before, in the line's
language, with place, time and code (never the reason).

The caller's number is the single exception to "no caller number in the database", kept narrow:
it lives only in the reminder's outbox row, sealed with HOTLINE_DATA_KEY and bound to that row
(`hotline.outbound.sealed`); the row names no call, booking or pseudonym (its key is random);
the sender opens it only to send, and it is erased once the message is sent, refused or
cancelled; the booking's `reminder_key` (needed to cancel the reminder) is cleared then too.
Nothing else ever holds it: not the booking, a page, an export, a log or the audit.
"""

from __future__ import annotations

import secrets
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hotline.care.codes import spoken
from hotline.care.vocabulary import REMINDER_KIND
from hotline.models import Booking, CareSession, Hotline, OutboxMessage
from hotline.outbound.outbox import SMS
from hotline.outbound.sealed import DONE, address_context, seal_address, unlink_bookings
from hotline.outbound.texts import render
from hotline.secrets_at_rest import DataKeys, Resealed, Unreadable, is_sealed
from rota.localtime import to_instant

# The day before, at 10:00 local: daytime wherever the line is, and a day to plan the trip.
REMINDER_WALL = time(10, 0)
# A reminder still unsent this long after it was due is of no use: cancelled, its number erased.
STALE_AFTER = timedelta(hours=24)


def reminder_due(start: datetime, zone: str) -> datetime:
    tz = ZoneInfo(zone)
    day_before = start.astimezone(tz).date() - timedelta(days=1)
    return to_instant(datetime.combine(day_before, REMINDER_WALL), tz)


def local_start(start: datetime, zone: str) -> str:
    return start.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def reminder_text(line: Hotline, start: str, place: str, code: str) -> str:
    """The text as it will be sent; the counselor reads it out when asking for consent."""
    return render(
        REMINDER_KIND, line.language, with_link=False, start=start, place=place, code=code
    )[1]


def schedule_reminder(
    session: Session,
    keys: DataKeys,
    booking: Booking,
    held: CareSession,
    line: Hotline,
    phone: str,
    now: datetime,
) -> bool:
    """Queue the reminder, due the day before; False (nothing kept) when that time has passed."""
    due = reminder_due(held.start, line.timezone)
    if due <= now:
        return False
    key = f"{REMINDER_KIND}:{secrets.token_hex(16)}"
    subject, body = render(
        REMINDER_KIND,
        line.language,
        with_link=False,
        start=local_start(held.start, line.timezone),
        place=held.place,
        code=spoken(booking.code),
    )
    message = OutboxMessage(
        key=key,
        kind=REMINDER_KIND,
        channel=SMS,
        urgent=False,
        hotline_id=line.id,
        subject=subject,
        body=body,
        state="pending",
        attempts=0,
        created_at=now,
        due_at=due,
    )
    session.add(message)
    session.flush()  # the sealed number is bound to the row's id
    seal_address(keys, message, phone)
    booking.reminder_key = key
    return True


def reschedule_reminder(
    session: Session, booking: Booking, held: CareSession, line: Hotline, now: datetime
) -> str:
    """The booking's unsent reminder follows it to `held`: new time, text and due time, in the
    same row (the sealed number is bound to the row and stays as it is). "moved"; "too-late"
    when the new reminder time has passed (cancelled, the number erased); "none" when no
    reminder is waiting (none was asked for, or it is sent or being sent)."""
    key = booking.reminder_key
    if key is None:
        return "none"
    due = reminder_due(held.start, line.timezone)
    if due <= now:
        return "too-late" if cancel_reminder(session, key, now) else "none"
    subject, body = render(
        REMINDER_KIND,
        line.language,
        with_link=False,
        start=local_start(held.start, line.timezone),
        place=held.place,
        code=spoken(booking.code),
    )
    moved = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.key == key, OutboxMessage.state == "pending")
        .values(subject=subject, body=body, due_at=due)
        .execution_options(synchronize_session=False)
    )
    return "moved" if getattr(moved, "rowcount", 0) else "none"


def cancel_reminder(session: Session, key: str | None, now: datetime) -> bool:
    """Cancel an unsent reminder and erase its number, and the booking's link to it. One being
    sent right now is left to the sender, which erases both when the provider has answered."""
    if key is None:
        return False
    done = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.key == key, OutboxMessage.state == "pending")
        .values(state="cancelled", address=None, finished_at=now, claim=None)
        .execution_options(synchronize_session=False)
    )
    unlink_bookings(session, [key])
    return bool(getattr(done, "rowcount", 0))


def erase_spent_contacts(session: Session, now: datetime) -> int:
    """Retention, before anything else: numbers of reminders that are done with (a safety net)
    and of reminders left unsent a day past their time (cancelled), then the bookings' links
    to reminders done with or purged. Returns how many numbers."""
    spent = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.kind == REMINDER_KIND,
            OutboxMessage.address.is_not(None),
            OutboxMessage.state.in_(sorted(DONE)),
        )
        .values(address=None)
        .execution_options(synchronize_session=False)
    )
    stale = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.kind == REMINDER_KIND,
            OutboxMessage.state == "pending",
            OutboxMessage.due_at < now - STALE_AFTER,
        )
        .values(state="cancelled", address=None, finished_at=now)
        .execution_options(synchronize_session=False)
    )
    unlink_bookings(session)
    return int(getattr(spent, "rowcount", 0)) + int(getattr(stale, "rowcount", 0))


def reseal_contacts(session: Session, keys: DataKeys) -> Resealed:
    """`hotline keys rotate` for the reminders' numbers. Each is written back only if the row
    still holds the value read and is still pending: a sender that sent and erased it meanwhile
    (PostgreSQL runs both at once) must not see the number come back."""
    report = Resealed()
    rows = session.execute(
        select(OutboxMessage.id, OutboxMessage.address).where(
            OutboxMessage.kind == REMINDER_KIND,
            OutboxMessage.state == "pending",
            OutboxMessage.address.is_not(None),
        )
    ).all()
    for message_id, sealed in rows:
        if sealed is None or not is_sealed(sealed) or keys.is_current(sealed):
            report.current += 1
            continue
        context = address_context(message_id)
        try:
            plain = keys.open(sealed, context)
        except Unreadable:
            report.unreadable += 1
            continue
        session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == message_id,
                OutboxMessage.address == sealed,
                OutboxMessage.state == "pending",
            )
            .values(address=keys.seal(plain, context))
            .execution_options(synchronize_session=False)
        )
        report.resealed += 1
    return report
