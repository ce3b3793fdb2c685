"""Unconfirmed shifts: `UNCONFIRMED_AFTER` the start of a shift its counselor has not confirmed,
the line's operators and the counselors of the next tier on duty are told (urgent).

Policy: told once. `escalated_at` is set in the transaction that queues the messages, and the
messages are keyed by the confirmation, so a re-run or a second scheduler tells nobody twice. A
shift whose counselor the current rota does not have on duty in that tier now (the shift was
removed or moved after it was asked, or is over) is settled without a word: `escalated_at` is
set and nobody is told, since there is nothing to cover.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.duty import duty_at
from hotline.models import Counselor, Hotline, ShiftConfirmation
from hotline.outbound.outbox import Notice, Recipient, queue_notices
from hotline.shifts.staff import Staff, load_staff, local_text, operators

UNCONFIRMED_AFTER = timedelta(minutes=15)
"""The default N: how long after its start an unconfirmed shift is told to others."""

TEMPLATE = "shift-unconfirmed"


@dataclass(frozen=True, slots=True)
class _LineNow:
    """A line at `now`: who is on duty per tier (keys), its operators, the staff on duty."""

    tiers: tuple[tuple[str, ...], ...]
    operators: list[Recipient]
    staff: Staff

    def has_on_duty(self, counselor: str, tier: int) -> bool:
        return tier <= len(self.tiers) and counselor in self.tiers[tier - 1]


def escalate_unconfirmed(session: Session, now: datetime, public_url: str) -> dict[str, Any]:
    """Tell about (or settle) every shift unconfirmed `UNCONFIRMED_AFTER` after its start."""
    due = session.execute(
        select(ShiftConfirmation, Hotline, Counselor)
        .join(Hotline, Hotline.id == ShiftConfirmation.hotline_id)
        .join(Counselor, Counselor.id == ShiftConfirmation.counselor_id)
        .where(
            ShiftConfirmation.confirmed_at.is_(None),
            ShiftConfirmation.escalated_at.is_(None),
            ShiftConfirmation.start <= now - UNCONFIRMED_AFTER,
        )
        .order_by(ShiftConfirmation.start, ShiftConfirmation.id)
    ).all()
    notices: list[Notice] = []
    told = 0
    lines: dict[int, _LineNow] = {}  # every row is judged by the rota in force at `now`
    for row, line, counselor in due:
        row.escalated_at = now
        if line.id not in lines:
            lines[line.id] = _line_now(session, line, now)
        if lines[line.id].has_on_duty(counselor.key, row.tier):
            told += 1
            notices += _notices(row, line, counselor, lines[line.id], public_url)
    return {
        "escalated": told,
        "settled": len(due) - told,
        "queued": queue_notices(session, notices, now),
    }


def _line_now(session: Session, line: Hotline, now: datetime) -> _LineNow:
    tiers = tuple(tuple(p.key for p in tier) for tier in duty_at(session, line.key, now).tiers)
    staff = load_staff(session, (key for tier in tiers for key in tier))
    return _LineNow(tiers, operators(session, line), staff)


def _notices(
    row: ShiftConfirmation, line: Hotline, counselor: Counselor, state: _LineNow, public_url: str
) -> list[Notice]:
    """To the line's operators and to the next tier on duty (the one who did not confirm left
    out, should they be on it too)."""
    next_tier = state.tiers[row.tier] if row.tier < len(state.tiers) else ()
    found = [state.staff.recipient(key, line) for key in next_tier if key != counselor.key]
    people = state.operators + [person for person in found if person is not None]
    values = {
        "counselor": counselor.name,
        "line": line.name,
        "tier": row.tier,
        "start": local_text(row.start, line),
        "link": f"{public_url}/",
    }
    return [
        Notice(
            f"{TEMPLATE}:{row.id}",
            person,
            TEMPLATE,
            values,
            urgent=True,
            with_link=line.message_links,
            hotline_id=line.id,
            shift_confirmation_id=row.id,
        )
        for person in people
    ]
