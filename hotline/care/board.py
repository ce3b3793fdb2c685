"""The supervisors' referrals page of their lines: open ones, overdue ones by urgency, and
closed ones with their result."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.care.referrals import steps_of
from hotline.care.scope import on_lines
from hotline.care.vocabulary import AWAITING, CLOSED, URGENCIES
from hotline.models import Hotline, Partner, Referral, ReferralStep, StudentCase
from hotline.records.scope import Viewer

CLOSED_SHOWN = 100


@dataclass(frozen=True, slots=True)
class ReferralRow:
    id: int
    line: str
    timezone: str
    partner: str
    urgency: str
    reasons: list[str]
    state: str
    created_at: datetime
    due_at: datetime
    closed_at: datetime | None
    call_id: int | None
    case: str | None
    overdue: bool
    steps: list[ReferralStep] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Board:
    overdue: list[ReferralRow]  # most urgent first, then the longest overdue
    open: list[ReferralRow]
    closed: list[ReferralRow]

    @property
    def ids(self) -> list[int]:
        return [row.id for row in (*self.overdue, *self.open, *self.closed)]


def referral_board(session: Session, viewer: Viewer, now: datetime) -> Board:
    query = (
        select(Referral, Hotline.name, Hotline.timezone, Partner.name, StudentCase.code)
        .join(Hotline, Hotline.id == Referral.hotline_id)
        .join(Partner, Partner.id == Referral.partner_id)
        .outerjoin(StudentCase, StudentCase.id == Referral.case_id)
        .where(on_lines(viewer, Referral.hotline_id))
    )
    still_open = session.execute(
        query.where(Referral.state.not_in(sorted(CLOSED))).order_by(Referral.due_at)
    ).all()
    closed = session.execute(
        query.where(Referral.state.in_(sorted(CLOSED)))
        .order_by(Referral.closed_at.desc(), Referral.id.desc())
        .limit(CLOSED_SHOWN)
    ).all()
    rows = [_row(found, now) for found in (*still_open, *closed)]
    steps = steps_of(session, [row.id for row in rows])
    rows = [replace(row, steps=steps.get(row.id, [])) for row in rows]
    rank = {urgency: n for n, urgency in enumerate(reversed(URGENCIES))}  # today first
    overdue = sorted((r for r in rows if r.overdue), key=lambda r: (rank[r.urgency], r.due_at))
    waiting = [r for r in rows if r.state not in CLOSED and not r.overdue]
    return Board(overdue, waiting, [r for r in rows if r.state in CLOSED])


def _row(found: tuple[Referral, str, str, str, str | None], now: datetime) -> ReferralRow:
    referral, line, zone, partner, case = found
    return ReferralRow(
        id=referral.id,
        line=line,
        timezone=zone,
        partner=partner,
        urgency=referral.urgency,
        reasons=list(referral.reasons),
        state=referral.state,
        created_at=referral.created_at,
        due_at=referral.due_at,
        closed_at=referral.closed_at,
        call_id=referral.call_id,
        case=case,
        overdue=referral.state in AWAITING and referral.due_at <= now,
    )
