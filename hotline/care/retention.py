"""Retention of follow-up care: bookings, referrals and student cases each have their own
period (settings `HOTLINE_BOOKING_RETENTION_DAYS`, `HOTLINE_REFERRAL_RETENTION_DAYS`,
`HOTLINE_CASE_RETENTION_DAYS`), and the reminders' sealed numbers go first of all.

Steps take the retention purge's form (`hotline.records.retention`): one batch each, so an
interrupted purge has deleted whole batches only and goes on when run again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, exists, not_, or_, select, update
from sqlalchemy.orm import Session

from hotline.care.reminders import erase_spent_contacts
from hotline.models import (
    Booking,
    CarePattern,
    CareSession,
    CaseCall,
    Referral,
    ReferralStep,
    StudentCase,
)


def purge_contacts(session: Session, cutoff: datetime, batch: int) -> int:
    """`cutoff` is now here: numbers have no retention period, only a use."""
    return erase_spent_contacts(session, cutoff)


def purge_bookings(session: Session, cutoff: datetime, batch: int) -> int:
    """Bookings made before the cutoff, then sessions that ended before it and hold no
    booking, then patterns left without sessions."""
    ids = list(session.scalars(select(Booking.id).where(Booking.booked_at < cutoff).limit(batch)))
    if ids:
        session.execute(delete(Booking).where(Booking.id.in_(ids)))
    held = exists().where(Booking.session_id == CareSession.id)
    old = list(
        session.scalars(
            select(CareSession.id).where(CareSession.start < cutoff, ~held).limit(batch)
        )
    )
    if old:
        session.execute(delete(CareSession).where(CareSession.id.in_(old)))
    used = exists().where(CareSession.pattern_id == CarePattern.id)
    patterns = list(
        session.scalars(
            select(CarePattern.id).where(CarePattern.last_day < cutoff.date(), ~used).limit(batch)
        )
    )
    if patterns:
        session.execute(delete(CarePattern).where(CarePattern.id.in_(patterns)))
    return len(ids) + len(old)


def purge_referrals(session: Session, cutoff: datetime, batch: int) -> int:
    """Referrals made before the cutoff that are closed (an open one is still being followed)
    or closed before it, with their steps."""
    gone = or_(
        and_(Referral.created_at < cutoff, Referral.closed_at.is_not(None)),
        Referral.closed_at < cutoff,
    )
    ids = list(session.scalars(select(Referral.id).where(gone).limit(batch)))
    if ids:
        session.execute(delete(ReferralStep).where(ReferralStep.referral_id.in_(ids)))
        session.execute(delete(Referral).where(Referral.id.in_(ids)))
    return len(ids)


def purge_cases(session: Session, cutoff: datetime, batch: int) -> int:
    """Cases closed before the cutoff, or opened before it with nothing joined since; what was
    joined to them stays (a call keeps its own retention) and loses the link."""
    recent_call = exists().where(CaseCall.case_id == StudentCase.id, CaseCall.linked_at >= cutoff)
    gone = or_(
        StudentCase.closed_at < cutoff,
        and_(StudentCase.opened_at < cutoff, StudentCase.closed_at.is_(None), not_(recent_call)),
    )
    ids = list(session.scalars(select(StudentCase.id).where(gone).limit(batch)))
    if ids:
        session.execute(update(Booking).where(Booking.case_id.in_(ids)).values(case_id=None))
        session.execute(update(Referral).where(Referral.case_id.in_(ids)).values(case_id=None))
        session.execute(delete(CaseCall).where(CaseCall.case_id.in_(ids)))
        session.execute(delete(StudentCase).where(StudentCase.id.in_(ids)))
    return len(ids)
