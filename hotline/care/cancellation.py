"""Cancelling a session: its bookings are cancelled (their reminders and numbers with them)
and each counselor whose bookings it held is told, once, through the outbox, to move them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.care.codes import spoken
from hotline.care.reminders import cancel_reminder, local_start
from hotline.care.scope import on_lines
from hotline.jobs.outcome_reminders import counselor_recipient
from hotline.models import Booking, CareSession, Counselor, Hotline
from hotline.outbound.outbox import queue_text
from hotline.records.scope import Viewer


@dataclass(frozen=True, slots=True)
class Cancelled:
    bookings: int  # bookings it held, now cancelled
    queued: int  # messages to their counselors


def cancel_session(
    session: Session, viewer: Viewer, session_id: int, now: datetime, public_url: str
) -> Cancelled | None:
    """None: no such session on the viewer's lines. A session already cancelled or started
    is left as it is (`Cancelled(0, 0)` for the first; the view says so)."""
    found = session.execute(
        select(CareSession, Hotline)
        .join(Hotline, Hotline.id == CareSession.hotline_id)
        .where(CareSession.id == session_id, on_lines(viewer, CareSession.hotline_id))
        .with_for_update()
    ).first()
    if found is None:
        return None
    held, line = found
    if held.cancelled_at is not None or held.start <= now:
        return Cancelled(0, 0)
    held.cancelled_at, held.cancelled_by = now, viewer.username
    bookings = list(
        session.scalars(
            select(Booking).where(Booking.session_id == held.id, Booking.state == "booked")
        )
    )
    by_counselor: dict[int, list[str]] = defaultdict(list)
    for booking in bookings:
        booking.state, booking.marked_at, booking.marked_by = "cancelled", now, viewer.username
        cancel_reminder(session, booking.reminder_key, now)
        if booking.counselor_id is not None:
            by_counselor[booking.counselor_id].append(spoken(booking.code))
    held.booked = 0
    queued = sum(
        _tell(session, held, line, counselor_id, codes, now, public_url)
        for counselor_id, codes in sorted(by_counselor.items())
    )
    return Cancelled(len(bookings), queued)


def _tell(
    session: Session,
    held: CareSession,
    line: Hotline,
    counselor_id: int,
    codes: list[str],
    now: datetime,
    public_url: str,
) -> int:
    counselor = session.get(Counselor, counselor_id)
    if counselor is None:
        return 0
    return queue_text(
        session,
        f"care-session-cancelled:{held.id}",
        [counselor_recipient(session, counselor, line)],
        "care-session-cancelled",
        now,
        urgent=False,
        with_link=line.message_links,
        hotline_id=line.id,
        line=line.name,
        start=local_start(held.start, line.timezone),
        place=held.place,
        count=len(codes),
        codes=", ".join(codes),
        link=f"{public_url}/calls",
    )
