"""Reminders before shifts: each counselor hears of each shift once, `LEAD` before it starts.

Policy: a reminder's key names the line, the counselor, the tier and the shift's start instant
(UTC), so a re-run, a second scheduler or a run in a repeated hour never queues it twice. The
lead is elapsed time: the reminder is due 12 real hours before the start instant, whatever the
clocks do meanwhile, and the text gives the start and end on the line's wall clock (a shift
whose start falls in a skipped hour starts, and is announced, at the moved-forward time). Only
the current rota is read, so a shift added since the last run is reminded of and a removed one
never is.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from hotline.outbound.outbox import Notice, queue_notices
from hotline.shifts.staff import load_staff, local_text
from hotline.shifts.upcoming import LineShift, upcoming_shifts

LEAD = timedelta(hours=12)
"""The default lead: how long before its start a shift is reminded of."""

TEMPLATE = "shift-reminder"
_OPEN_END = "—"  # a shift that runs further than the rota was read


def queue_reminders(session: Session, now: datetime, until: datetime) -> dict[str, Any]:
    """Queue a reminder of every shift that starts in `(now, until]`; counts only."""
    shifts = upcoming_shifts(session, now, until)
    staff = load_staff(session, (shift.counselor for shift in shifts))
    notices = []
    for shift in shifts:
        person = staff.recipient(shift.counselor, shift.line)
        if person is not None:
            notices.append(
                Notice(
                    reminder_occasion(shift),
                    person,
                    TEMPLATE,
                    reminder_values(shift),
                    urgent=False,
                    with_link=shift.line.message_links,
                    hotline_id=shift.line.id,
                )
            )
    return {"shifts": len(shifts), "queued": queue_notices(session, notices, now)}


def reminder_occasion(shift: LineShift) -> str:
    start = shift.start.strftime("%Y%m%dT%H%M%SZ")
    return f"{TEMPLATE}:{shift.line.key}:{shift.counselor}:t{shift.tier}:{start}"


def reminder_values(shift: LineShift) -> dict[str, Any]:
    line = shift.line
    end = _OPEN_END if shift.open_ended else local_text(shift.end, line)
    return {
        "line": line.name,
        "tier": shift.tier,
        "start": local_text(shift.start, line),
        "end": end,
    }
