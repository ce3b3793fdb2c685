"""Asking counselors to confirm their shift near its start: one click on their start page (it
works everywhere), or an SMS reply where two-way SMS works.

Policy: a shift (line, counselor, tier, start instant) is asked once: its `ShiftConfirmation`
row, unique on those four, records the asking, and the message is keyed by the row. Shifts
starting within `ASK_BEFORE` are asked; so is one that started less than `UNCONFIRMED_AFTER` ago
and was never asked (the scheduler was down), late rather than never.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import ShiftConfirmation
from hotline.outbound.outbox import Notice, insert_missing, queue_notices
from hotline.shifts.escalation import UNCONFIRMED_AFTER
from hotline.shifts.staff import Staff, load_staff, local_text
from hotline.shifts.upcoming import LineShift, upcoming_shifts

ASK_BEFORE = timedelta(minutes=30)
"""The default: how long before its start a shift is to be confirmed."""

TEMPLATE = "shift-confirmation"
_Key = tuple[int, int, int, datetime]  # hotline, counselor, tier, start


@dataclass(frozen=True, slots=True)
class _Asked:
    """What a confirmation row says of the asking (read as columns: a week holds thousands)."""

    id: int
    asked_at: datetime
    confirmed_at: datetime | None


def ask_confirmations(
    session: Session,
    now: datetime,
    public_url: str,
    *,
    after: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, Any]:
    """Ask for every shift starting in `(after, until]` (by default: from `UNCONFIRMED_AFTER`
    ago to `ASK_BEFORE` ahead) that was never asked; counts only."""
    after = now - UNCONFIRMED_AFTER if after is None else after
    until = now + ASK_BEFORE if until is None else until
    shifts = upcoming_shifts(session, after, until)
    staff = load_staff(session, (shift.counselor for shift in shifts))
    asked = _record_asking(session, shifts, staff, now, after, until)
    notices = [
        _notice(shift, staff, row, public_url)
        for shift, row in asked
        # Asked by this run (or another at the same `now`): a re-run queues nothing new.
        if row.asked_at == now and row.confirmed_at is None
    ]
    return {"asked": len(notices), "queued": queue_notices(session, notices, now)}


def _record_asking(
    session: Session,
    shifts: Sequence[LineShift],
    staff: Staff,
    now: datetime,
    after: datetime,
    until: datetime,
) -> list[tuple[LineShift, _Asked]]:
    """Each shift of a known counselor with its row, made now where there was none."""
    wanted: dict[_Key, LineShift] = {}
    for shift in shifts:
        person = staff.counselors.get(shift.counselor)
        if person is not None:
            wanted[(shift.line.id, person.id, shift.tier, shift.start)] = shift
    rows = _rows(session, after, until)
    new = [_new_row(key, shift, now) for key, shift in wanted.items() if key not in rows]
    if new:
        unique = ["hotline_id", "counselor_id", "tier", "start"]
        insert_missing(session, ShiftConfirmation, new, unique)
        rows = _rows(session, after, until)
    return [(shift, rows[key]) for key, shift in wanted.items() if key in rows]


def _rows(session: Session, after: datetime, until: datetime) -> dict[_Key, _Asked]:
    row = ShiftConfirmation
    key = (row.hotline_id, row.counselor_id, row.tier, row.start)
    found = session.execute(
        select(*key, row.id, row.asked_at, row.confirmed_at).where(
            row.start > after, row.start <= until
        )
    )
    return {(h, c, t, start): _Asked(i, asked, done) for h, c, t, start, i, asked, done in found}


def _new_row(key: _Key, shift: LineShift, now: datetime) -> dict[str, Any]:
    hotline_id, counselor_id, tier, start = key
    return {
        "hotline_id": hotline_id,
        "counselor_id": counselor_id,
        "tier": tier,
        "start": start,
        "end": shift.end,  # an open-ended shift: confirmable as far as the rota was read
        "asked_at": now,
    }


def _notice(shift: LineShift, staff: Staff, row: _Asked, public_url: str) -> Notice:
    person = staff.recipient(shift.counselor, shift.line)
    assert person is not None  # rows are made for known counselors only
    return Notice(
        f"{TEMPLATE}:{row.id}",
        person,
        TEMPLATE,
        {
            "line": shift.line.name,
            "start": local_text(shift.start, shift.line),
            "link": f"{public_url}/",
        },
        urgent=False,
        with_link=shift.line.message_links,
        hotline_id=shift.line.id,
        shift_confirmation_id=row.id,
    )
