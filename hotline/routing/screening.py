"""The screen a counselor hears on pickup: the line's name, and the key 1 to take the call.

Anything but 1 (or nothing, as a voicemail does) hangs up that leg, so a machine never takes
a crisis call. A screen's transaction changes ORM objects only (no store statement runs in it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Call, CallAttempt
from hotline.records.vocabulary import AttemptResult, CallResult
from hotline.routing import leases
from hotline.routing.decisions import Bridge, Hangup, Instruction, Screen
from hotline.routing.inputs import RoutingContext, ScreenLeg
from hotline.routing.plan import Step
from hotline.routing.prompts import screen_prompt

ACCEPT_KEY = "1"


def screen_answered(
    session: Session, ctx: RoutingContext, leg: ScreenLeg, now: datetime
) -> list[Instruction]:
    """A counselor picked up: ask them to press 1 (or hang up a leg we know nothing of)."""
    found = _attempt(session, leg)
    if found is None:
        return [Hangup()]
    call, attempt = found
    attempt.dial_call_sid = leg.leg_sid
    if attempt.result is None:
        attempt.result, attempt.ended_at = AttemptResult.ANSWERED, now  # the ring ended here
    _cancel_the_rest(session, call, attempt, now)
    lines = ctx.lines.current(session)
    # The line the caller dialed (an overflowed call is still a call to that line), else the
    # line whose tier is rung.
    dialed = lines.by_id.get(call.hotline_id) if call.hotline_id else None
    line = dialed or lines.by_key.get(Step.from_json(call.plan[leg.step]).hotline or "")
    if line is None:
        return [Hangup()]
    return [Screen(screen_prompt(line.name, line.language), leg.step, leg.round, leg.target)]


def _cancel_the_rest(session: Session, call: Call, answered: CallAttempt, now: datetime) -> None:
    """Twilio cancels the other legs of a dial at its first pickup: they stopped ringing now."""
    others = session.scalars(
        select(CallAttempt)
        .where(CallAttempt.call_id == call.id, CallAttempt.step == answered.step)
        .where(CallAttempt.round == answered.round, CallAttempt.id != answered.id)
        .where(CallAttempt.result.is_(None))
    )
    for other in others:
        other.result, other.ended_at = AttemptResult.CANCELED, now


def screen_choice(session: Session, leg: ScreenLeg, now: datetime) -> list[Instruction]:
    """The counselor's key: 1 bridges the caller to them; anything else declines."""
    found = _attempt(session, leg)
    if found is None:
        return [Hangup()]
    call, attempt = found
    if leg.digits != ACCEPT_KEY:
        attempt.result = AttemptResult.DECLINED
        return [Hangup()]
    attempt.result = AttemptResult.ACCEPTED
    attempt.dial_call_sid = leg.leg_sid
    call.answered_at = call.answered_at or now
    leases.hold(session, attempt.target, call.call_sid, now)
    return [Bridge()]


def _attempt(session: Session, leg: ScreenLeg) -> tuple[Call, CallAttempt] | None:
    """The attempt this leg belongs to, while its call is still looking for a counselor."""
    row = session.execute(
        select(Call, CallAttempt)
        .join(CallAttempt, CallAttempt.call_id == Call.id)
        .where(Call.call_sid == leg.parent_sid, Call.result == CallResult.ROUTING)
        .where(CallAttempt.step == leg.step, CallAttempt.round == leg.round)
        .where(CallAttempt.target == leg.target)
    ).first()
    return None if row is None else (row[0], row[1])
