"""One call as a person may see it: the record, the attempt timeline and the outcome."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Call, CallAttempt, CallOutcome, Counselor, Hotline, Partner
from hotline.records.calllog import effective_result, seconds_between
from hotline.records.scope import Viewer, visible_calls


@dataclass(frozen=True, slots=True)
class AttemptView:
    target: str
    name: str | None
    tier: int | None
    line: str | None
    started_at: datetime
    ring_seconds: int | None
    result: str | None


@dataclass(frozen=True, slots=True)
class CallView:
    id: int
    line: str | None
    line_name: str | None
    timezone: str
    caller: str
    arrived_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    wait_seconds: int | None
    duration_seconds: int | None
    result: str
    answered_line: str | None
    counselor: str | None
    counselor_name: str | None
    rota_version: int | None
    attempts: list[AttemptView]
    outcome: CallOutcome | None
    partner_name: str | None


def find_visible_call(session: Session, viewer: Viewer, call_id: int) -> Call | None:
    """The call, when this viewer may see it; None otherwise (the caller answers 404)."""
    return session.scalar(select(Call).where(Call.id == call_id, visible_calls(viewer)))


def call_view(session: Session, viewer: Viewer, call_id: int, now: datetime) -> CallView | None:
    call = find_visible_call(session, viewer, call_id)
    if call is None:
        return None
    line = session.get(Hotline, call.hotline_id) if call.hotline_id else None
    answered_line = session.get(Hotline, call.answered_line_id) if call.answered_line_id else None
    counselor = session.get(Counselor, call.answered_by_id) if call.answered_by_id else None
    outcome = session.scalar(select(CallOutcome).where(CallOutcome.call_id == call.id))
    partner = session.get(Partner, outcome.partner_id) if outcome and outcome.partner_id else None
    result = session.scalar(select(effective_result(now)).where(Call.id == call.id))
    return CallView(
        id=call.id,
        line=line.key if line else None,
        line_name=line.name if line else None,
        timezone=line.timezone if line else "UTC",
        caller=call.caller,
        arrived_at=call.arrived_at,
        answered_at=call.answered_at,
        ended_at=call.ended_at,
        wait_seconds=seconds_between(call.arrived_at, call.answered_at),
        duration_seconds=call.duration_seconds,
        result=result or call.result,
        answered_line=answered_line.key if answered_line else None,
        counselor=counselor.key if counselor else None,
        counselor_name=counselor.name if counselor else None,
        rota_version=call.rota_version,
        attempts=attempt_timeline(session, call),
        outcome=outcome,
        partner_name=partner.name if partner else None,
    )


def attempt_timeline(session: Session, call: Call) -> list[AttemptView]:
    """Who was rung, in order: tier, line, how long it rang, how it ended."""
    found = session.execute(
        select(CallAttempt, Counselor.name, Hotline.key)
        .outerjoin(Counselor, Counselor.id == CallAttempt.counselor_id)
        .outerjoin(Hotline, Hotline.id == CallAttempt.hotline_id)
        .where(CallAttempt.call_id == call.id)
        .order_by(CallAttempt.started_at, CallAttempt.id)
    )
    return [
        AttemptView(
            target=attempt.target,
            name=name,
            tier=attempt.tier,
            line=line,
            started_at=attempt.started_at,
            ring_seconds=seconds_between(attempt.started_at, attempt.ended_at),
            result=attempt.result,
        )
        for attempt, name, line in found
    ]
