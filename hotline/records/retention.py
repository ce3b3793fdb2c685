"""The retention purge: each class of data is deleted once older than its retention period.

It works in batches, one transaction each, so a purge interrupted half-way has deleted whole
batches only and simply goes on when run again; nothing younger than its period is touched.
The audit log refuses deletes unless the transaction says `hotline.purge` (PostgreSQL) or holds
a purge permit row (SQLite).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, select, text, update
from sqlalchemy.orm import Session

from hotline.care import retention as care
from hotline.models import (
    AuditEntry,
    AuditPurgePermit,
    Call,
    CallAttempt,
    CallOutcome,
    JobRun,
    LoginFailure,
    OutboxMessage,
    RiskAlert,
    StatsDay,
    TotpEnrolment,
)
from hotline.records.policy import RecordsPolicy

BATCH = 1000
Step = Callable[[Session, datetime, int], int]


def purge_calls(session: Session, cutoff: datetime, batch: int) -> int:
    """Call records (attempts and outcomes with them); outbox rows lose their link."""
    ids = list(session.scalars(select(Call.id).where(Call.arrived_at < cutoff).limit(batch)))
    if not ids:
        return 0
    session.execute(delete(CallAttempt).where(CallAttempt.call_id.in_(ids)))
    session.execute(delete(CallOutcome).where(CallOutcome.call_id.in_(ids)))
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.call_id.in_(ids))
        .values(call_id=None, alert_id=None)
    )
    session.execute(delete(RiskAlert).where(RiskAlert.call_id.in_(ids)))
    session.execute(delete(Call).where(Call.id.in_(ids)))
    # The statistics' roll-ups of these days counted these calls: read them raw until the
    # `stats-rollup` job has counted them again (any zone: a day later in UTC at most).
    last_day = (cutoff + timedelta(days=1)).date().isoformat()
    session.execute(delete(StatsDay).where(StatsDay.day <= last_day))
    return len(ids)


def purge_notes(session: Session, cutoff: datetime, batch: int) -> int:
    """Free-text notes of calls older than the note period (the coded outcome stays)."""
    ids = list(
        session.scalars(
            select(CallOutcome.id)
            .join(Call, Call.id == CallOutcome.call_id)
            .where(Call.arrived_at < cutoff, CallOutcome.note.is_not(None))
            .limit(batch)
        )
    )
    if ids:
        session.execute(update(CallOutcome).where(CallOutcome.id.in_(ids)).values(note=None))
    return len(ids)


def purge_audit(session: Session, cutoff: datetime, batch: int) -> int:
    ids = list(session.scalars(select(AuditEntry.id).where(AuditEntry.at < cutoff).limit(batch)))
    if not ids:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT set_config('hotline.purge', 'on', true)"))
        session.execute(delete(AuditEntry).where(AuditEntry.id.in_(ids)))
        return len(ids)
    # SQLite: the triggers let deletes through while this transaction holds a permit row.
    permit = AuditPurgePermit()
    session.add(permit)
    session.flush()
    session.execute(delete(AuditEntry).where(AuditEntry.id.in_(ids)))
    session.delete(permit)
    session.flush()
    return len(ids)


# A message still to send is work, not history: a reminder queued months before its session,
# or a notice held by quiet hours, is purged once it is done, never before.
_UNFINISHED = ("pending", "sending")


def purge_outbox(session: Session, cutoff: datetime, batch: int) -> int:
    old = and_(OutboxMessage.created_at < cutoff, OutboxMessage.state.not_in(_UNFINISHED))
    ids = list(session.scalars(select(OutboxMessage.id).where(old).limit(batch)))
    if ids:
        session.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
    return len(ids)


def purge_job_runs(session: Session, cutoff: datetime, batch: int) -> int:
    ids = list(session.scalars(select(JobRun.id).where(JobRun.started_at < cutoff).limit(batch)))
    if ids:
        session.execute(delete(JobRun).where(JobRun.id.in_(ids)))
    return len(ids)


def purge_login_failures(session: Session, cutoff: datetime, batch: int) -> int:
    ids = list(
        session.scalars(select(LoginFailure.id).where(LoginFailure.at < cutoff).limit(batch))
    )
    if ids:
        session.execute(delete(LoginFailure).where(LoginFailure.id.in_(ids)))
    return len(ids)


def purge_totp_enrolments(session: Session, cutoff: datetime, batch: int) -> int:
    """Second factors set up but never confirmed, once expired: their sealed secrets have no use
    left (an unexpired one still waits for its user's code)."""
    ids = list(
        session.scalars(
            select(TotpEnrolment.id).where(TotpEnrolment.expires_at <= cutoff).limit(batch)
        )
    )
    if ids:
        session.execute(delete(TotpEnrolment).where(TotpEnrolment.id.in_(ids)))
    return len(ids)


def purge_plan(policy: RecordsPolicy, now: datetime) -> list[tuple[str, Step, datetime]]:
    """Each class with its step and cutoff; notes before calls, so both counts are honest.
    Expired TOTP enrolments go at once: they are kept only as long as they can be used."""
    days = {
        "notes": policy.note_days,
        "calls": policy.call_days,
        "audit": policy.audit_days,
        "outbox": policy.outbox_days,
        "login_failures": policy.login_failure_days,
        "job_runs": policy.job_run_days,
    }
    steps: dict[str, Step] = {
        "notes": purge_notes,
        "calls": purge_calls,
        "audit": purge_audit,
        "outbox": purge_outbox,
        "login_failures": purge_login_failures,
        "job_runs": purge_job_runs,
    }
    plan = [(name, steps[name], now - timedelta(days=days[name])) for name in days]
    # Follow-up care: the reminders' sealed numbers first (they have a use, not a period),
    # then cases before bookings and referrals, which lose their link to a purged case.
    cared: list[tuple[str, Step, datetime]] = [
        ("care_cases", care.purge_cases, now - timedelta(days=policy.case_days)),
        ("care_bookings", care.purge_bookings, now - timedelta(days=policy.booking_days)),
        ("care_referrals", care.purge_referrals, now - timedelta(days=policy.referral_days)),
    ]
    contacts = ("care_contacts", care.purge_contacts, now)
    return [contacts, *plan, *cared, ("totp_enrolments", purge_totp_enrolments, now)]


def purge_batch(
    session: Session, policy: RecordsPolicy, now: datetime, batch: int = BATCH
) -> Counter[str]:
    """One batch of every class (the caller commits it and calls again until it is empty)."""
    counts: Counter[str] = Counter()
    for name, step, cutoff in purge_plan(policy, now):
        counts[name] += step(session, cutoff, batch)
    return counts
