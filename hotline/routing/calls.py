"""Routing one call: arrival, then the next dial after each ring, until a human answers.

Every path ends in a dial to a human or, when nothing at all is left to dial, the closing
message with emergency numbers. Twilio may repeat a request: the call's outstanding dial
(`dial_step`, `dial_round`) lets a repeat get the same answer without ringing anyone twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.models import Call, CallAttempt, Counselor, Hotline
from hotline.pseudonym import linked_pseudonyms
from hotline.routing import leases
from hotline.routing.decisions import Dial, Hangup, Instruction, Ring
from hotline.routing.inputs import DialOutcome, IncomingCall, RoutingContext
from hotline.routing.lines import line_for_number, region_of_line
from hotline.routing.plan import (
    FALLBACK,
    FALLBACK_RING_SECONDS,
    LineDuty,
    Step,
    build_plan,
    round_batch,
)
from hotline.routing.prompts import closing, greeting
from hotline.routing.records import (
    ROUTING,
    attempts_of,
    close_round,
    finish_bridged,
    outstanding_dial,
    tried_targets,
)

MIN_RING_SECONDS = 5  # Twilio's smallest <Dial timeout>


def start_call(
    session: Session, ctx: RoutingContext, incoming: IncomingCall, now: datetime
) -> list[Instruction]:
    """A call arrives: make its record and plan (once per CallSid) and ring the first round."""
    line = line_for_number(session, incoming.to)
    call = session.scalar(select(Call).where(Call.call_sid == incoming.call_sid))
    if call is None:
        call = _new_call(session, ctx, incoming, line, now)
    if call.result == ROUTING and call.dial_step is None:
        instructions = advance(session, call, line, now)
        return [*_greet(line), *instructions]
    return [*_greet(line), *replay(session, call, line)]


def continue_call(session: Session, outcome: DialOutcome, now: datetime) -> list[Instruction]:
    """A dial ended: the call is bridged and done, or the next round is rung."""
    call = session.scalar(select(Call).where(Call.call_sid == outcome.call_sid))
    if call is None:
        raise LookupError("dial result for a call we have no record of")
    line = session.get(Hotline, call.hotline_id) if call.hotline_id else None
    if (call.dial_step, call.dial_round) != (outcome.step, outcome.round) or call.result != ROUTING:
        return replay(session, call, line)
    released = close_round(session, call, outcome, now)
    leases.release(session, call.call_sid, released)
    if outcome.bridged:
        finish_bridged(session, call, outcome, now)  # the action comes when the talk has ended
        return [Hangup()]
    return advance(session, call, line, now)


def advance(session: Session, call: Call, line: Hotline | None, now: datetime) -> list[Instruction]:
    """Ring the next round that has somebody free to ring; else the closing message."""
    plan = [Step.from_json(step) for step in call.plan]
    index, round_ = _next_position(call)
    tried = tried_targets(session, call)
    while index < len(plan):
        step = plan[index]
        if step.is_fallback:
            if round_ > 0:
                break  # the fallback has been rung: nothing is left to dial
            return [_dial_fallback(session, call, index, step, line, now)]
        remaining = _remaining_wait(call, line, now)
        if remaining < MIN_RING_SECONDS:
            index, round_ = len(plan) - 1, 0  # the wait cap is used up: straight to the fallback
            continue
        batch = round_batch(step, tried, simultaneous=_simultaneous(session, step))
        if not batch:
            index, round_ = index + 1, 0
            continue
        dial = _ring_round(session, call, index, round_, step, batch, line, remaining, now)
        if dial is not None:
            return [dial]
        tried |= set(batch)  # everyone in the batch was busy: the next round
        round_ += 1
    call.result = "missed"
    call.dial_step = call.dial_round = None
    language = line.language if line else "zh-CN"
    return [closing(line.closing_message if line else None, language), Hangup()]


def replay(session: Session, call: Call, line: Hotline | None) -> list[Instruction]:
    """The answer to a repeated request: the outstanding dial again, or the call's end."""
    dial = outstanding_dial(session, call, line)
    if dial is not None:
        return [dial]
    if call.result == "missed" and line is not None:
        return [closing(line.closing_message, line.language), Hangup()]
    return [Hangup()]


def _new_call(
    session: Session,
    ctx: RoutingContext,
    incoming: IncomingCall,
    line: Hotline | None,
    now: datetime,
) -> Call:
    pseudonyms = linked_pseudonyms(
        incoming.caller, region_of_line(line), ctx.pseudonym_key, ctx.pseudonym_key_previous
    )
    own, overflow = _duties(session, ctx, line, now)
    fallback = (line.fallback_number if line else None) or ctx.fallback_number
    call = Call(
        call_sid=incoming.call_sid,
        hotline_id=line.id if line else None,
        caller=pseudonyms[0],
        caller_link=pseudonyms[1] if len(pseudonyms) > 1 else None,
        arrived_at=now,
        status="ringing",
        result=ROUTING,
        rota_version=own.version,
        plan=[step.as_json() for step in build_plan(own, overflow, fallback)],
        dial_step=None,
        dial_round=None,
    )
    try:
        with session.begin_nested():
            session.add(call)
    except IntegrityError:  # the same CallSid, retried at the same moment: use that record
        existing = session.scalar(select(Call).where(Call.call_sid == incoming.call_sid))
        if existing is None:
            raise
        return existing
    return call


def _duties(
    session: Session, ctx: RoutingContext, line: Hotline | None, now: datetime
) -> tuple[LineDuty, list[LineDuty]]:
    if line is None:
        return LineDuty("", None, ()), []
    version, tiers = ctx.duty.tiers_at(session, line, now)
    overflow = []
    for key in line.overflow:
        other = session.scalar(select(Hotline).where(Hotline.key == key))
        if other is not None:
            other_version, other_tiers = ctx.duty.tiers_at(session, other, now)
            overflow.append(LineDuty(other.key, other_version, other_tiers))
    return LineDuty(line.key, version, tiers), overflow


def _greet(line: Hotline | None) -> list[Instruction]:
    return [greeting(line.name, line.language)] if line is not None else []


def _next_position(call: Call) -> tuple[int, int]:
    if call.dial_step is None or call.dial_round is None:
        return 0, 0
    return call.dial_step, call.dial_round + 1


def _simultaneous(session: Session, step: Step) -> bool:
    """Each line's tiers ring the way that line rings them, overflow lines included."""
    strategy = session.scalar(select(Hotline.ring_strategy).where(Hotline.key == step.hotline))
    return strategy == "simultaneous"


def _remaining_wait(call: Call, line: Hotline | None, now: datetime) -> int:
    if line is None:
        return 0
    return line.max_wait_seconds - int((now - call.arrived_at).total_seconds())


def _ring_round(
    session: Session,
    call: Call,
    index: int,
    round_: int,
    step: Step,
    batch: tuple[str, ...],
    line: Hotline | None,
    remaining: int,
    now: datetime,
) -> Dial | None:
    """Claim the batch's counselors; ring those who were free (None when nobody was)."""
    ring_seconds = min(line.ring_seconds if line else 20, remaining)
    until = now + timedelta(seconds=ring_seconds) + leases.RING_MARGIN
    people = {c.key: c for c in session.scalars(select(Counselor).where(Counselor.key.in_(batch)))}
    rings = []
    for key in batch:
        person = people.get(key)
        free = person is not None and leases.claim(session, key, call.call_sid, until, now)
        _attempt(
            session, call, index, round_, step, key, person, now, None if free else "busy-elsewhere"
        )
        if free and person is not None:
            rings.append(Ring(key, person.phone, screen=True))
    if not rings:
        return None
    call.dial_step, call.dial_round = index, round_
    caller_id = line.number if line else rings[0].number
    return Dial(tuple(rings), max(ring_seconds, MIN_RING_SECONDS), caller_id, index, round_)


def _dial_fallback(
    session: Session, call: Call, index: int, step: Step, line: Hotline | None, now: datetime
) -> Dial:
    assert step.fallback is not None
    _attempt(session, call, index, 0, step, FALLBACK, None, now, None)
    call.dial_step, call.dial_round = index, 0
    caller_id = line.number if line else step.fallback
    ring = Ring(FALLBACK, step.fallback, screen=False)
    return Dial((ring,), FALLBACK_RING_SECONDS, caller_id, index, 0)


def _attempt(
    session: Session,
    call: Call,
    index: int,
    round_: int,
    step: Step,
    target: str,
    person: Counselor | None,
    now: datetime,
    result: str | None,
) -> None:
    if any(a.target == target for a in attempts_of(session, call, index, round_)):
        return
    line_id = session.scalar(select(Hotline.id).where(Hotline.key == step.hotline))
    session.add(
        CallAttempt(
            call_id=call.id,
            step=index,
            round=round_,
            kind="fallback" if step.is_fallback else "counselor",
            hotline_id=line_id,
            tier=step.tier,
            target=target,
            counselor_id=person.id if person else None,
            rota_version=step.version,
            started_at=now,
            ended_at=now if result else None,
            result=result,
        )
    )
    session.flush()
