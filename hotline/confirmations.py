"""Confirming a shift: by one click on the counselor's start page, or by a text reply.

Idempotent: a confirmed shift stays confirmed by its first answer; a shift that has ended can
no longer be confirmed (there is nothing left to be sure of).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Hotline, ShiftConfirmation

WEB, SMS = "web", "sms"


def confirm_shift(
    session: Session, confirmation_id: int, counselor_id: int, via: str, now: datetime
) -> ShiftConfirmation | None:
    """The counselor's own open confirmation, now confirmed; None when it is not theirs or the
    shift is over."""
    found = session.scalar(
        select(ShiftConfirmation).where(
            ShiftConfirmation.id == confirmation_id,
            ShiftConfirmation.counselor_id == counselor_id,
        )
    )
    if found is None or found.end <= now:
        return None
    if found.confirmed_at is None:
        found.confirmed_at, found.confirmed_via = now, via
    return found


def open_confirmations(
    session: Session, counselor_id: int, now: datetime
) -> list[ShiftConfirmation]:
    """Asked and not yet confirmed, for shifts not over yet: soonest first."""
    return list(
        session.scalars(
            select(ShiftConfirmation)
            .where(
                ShiftConfirmation.counselor_id == counselor_id,
                ShiftConfirmation.confirmed_at.is_(None),
                ShiftConfirmation.end > now,
            )
            .order_by(ShiftConfirmation.start)
        )
    )


@dataclass(frozen=True, slots=True)
class ShiftToConfirm:
    """An open confirmation as the counselor's start page shows it."""

    id: int
    line: str
    timezone: str
    start: datetime


def shifts_to_confirm(session: Session, counselor_id: int, now: datetime) -> list[ShiftToConfirm]:
    """`open_confirmations`, each with its line's name and zone."""
    found = open_confirmations(session, counselor_id, now)
    ids = {row.hotline_id for row in found}
    lines = {line.id: line for line in session.scalars(select(Hotline).where(Hotline.id.in_(ids)))}
    return [
        ShiftToConfirm(
            row.id, lines[row.hotline_id].name, lines[row.hotline_id].timezone, row.start
        )
        for row in found
    ]
