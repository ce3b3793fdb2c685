"""Status callbacks: an idempotent upsert by CallSid that never regresses a terminal state.

Callbacks repeat and arrive out of order. A state moves only forward (by rank, then by
`SequenceNumber`); the first terminal state is final. A terminal state ends the call's
leases and settles a result that routing left open.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.models import Call, CallAttempt
from hotline.pseudonym import linked_pseudonyms
from hotline.records.vocabulary import AttemptResult, CallResult
from hotline.routing import leases
from hotline.routing.inputs import RoutingContext, StatusReport

TERMINAL = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})
_RANK = {"queued": 0, "initiated": 1, "ringing": 2, "in-progress": 3}


def rank(status: str) -> int:
    return 4 if status in TERMINAL else _RANK.get(status, -1)


def record_status(
    session: Session, ctx: RoutingContext, report: StatusReport, now: datetime
) -> bool:
    """Apply one callback; False when it changed nothing (a duplicate or a stale state)."""
    call = session.scalar(select(Call).where(Call.call_sid == report.call_sid))
    if call is None:
        call = _call_from_status(session, ctx, report, now)
    elif not _moves_forward(call, report):
        return False
    call.status = report.status
    if report.sequence is not None:
        call.status_sequence = max(report.sequence, call.status_sequence or -1)
    if report.status in TERMINAL:
        _end(session, call, report, now)
    return True


def _moves_forward(call: Call, report: StatusReport) -> bool:
    if call.status in TERMINAL:
        return False
    old, new = rank(call.status), rank(report.status)
    if new != old:
        return new > old
    return (report.sequence or -1) > (call.status_sequence or -1)


def _end(session: Session, call: Call, report: StatusReport, now: datetime) -> None:
    call.ended_at = _believable(report.timestamp, now)
    call.duration_seconds = report.duration_s
    leases.release(session, call.call_sid)
    if call.result == CallResult.ROUTING:
        # The caller hung up while counselors were still being rung.
        call.result = CallResult.ABANDONED
        call.dial_step = call.dial_round = None
        for attempt in session.scalars(
            select(CallAttempt).where(CallAttempt.call_id == call.id, CallAttempt.result.is_(None))
        ):
            attempt.result, attempt.ended_at = AttemptResult.ABANDONED, call.ended_at


def _believable(stamp: datetime | None, now: datetime) -> datetime:
    """Twilio's stamp of the event, unless it is a day or more away from our clock (then it is
    not a time the event happened at, and it would skew every report that counts the call)."""
    if stamp is None or abs(stamp - now) >= timedelta(days=1):
        return now
    return stamp


def _call_from_status(
    session: Session, ctx: RoutingContext, report: StatusReport, now: datetime
) -> Call:
    """A callback for a call whose arrival we never recorded (it was spooled, or lost)."""
    line = ctx.lines.current(session).for_number(report.to)
    pseudonyms = linked_pseudonyms(
        report.caller, line.region if line else None, ctx.pseudonym_key, ctx.pseudonym_key_previous
    )
    call = Call(
        call_sid=report.call_sid,
        hotline_id=line.id if line else None,
        caller=pseudonyms[0],
        caller_link=pseudonyms[1] if len(pseudonyms) > 1 else None,
        arrived_at=now,
        status="queued",
        result=CallResult.UNKNOWN,
        plan=[],
        dial_step=None,
        dial_round=None,
    )
    try:
        with session.begin_nested():
            session.add(call)
    except IntegrityError:  # a concurrent duplicate made it first
        existing = session.scalar(select(Call).where(Call.call_sid == report.call_sid))
        if existing is None:
            raise
        return existing
    return call
