"""Routing one call: arrival, then the next dial after each ring, until a human answers.

Every path ends in a dial to a human or, when nothing at all is left to dial, the closing
message with emergency numbers. Twilio may repeat a request: the call's outstanding dial
(`dial_step`, `dial_round`) lets a repeat get the same answer without ringing anyone twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.db import Database
from hotline.models import Call
from hotline.pseudonym import linked_pseudonyms
from hotline.routing import leases
from hotline.routing.decisions import Dial, Hangup, Instruction, Ring
from hotline.routing.directory import LineInfo, Lines
from hotline.routing.inputs import DialOutcome, IncomingCall, RoutingContext
from hotline.routing.plan import (
    FALLBACK,
    FALLBACK_RING_SECONDS,
    SIMULTANEOUS_LIMIT,
    LineDuty,
    Step,
    build_plan,
    waiting,
)
from hotline.routing.prompts import closing, greeting
from hotline.routing.records import (
    ROUTING,
    Roster,
    close_round,
    finish_bridged,
    outstanding_dial,
    tried_targets,
)
from hotline.routing.store import CallState, RoutedCall, call_by_sid, insert_attempts, insert_call

MIN_RING_SECONDS = 5  # Twilio's smallest <Dial timeout>
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Arrival:
    """A call as it arrives, planned before anything is written: its line, the plan from the
    rota in force, the pseudonym. Planning reads only per-process copies (lines, rota index),
    so the write transaction that follows is short: SQLite has one writer at a time."""

    incoming: IncomingCall
    lines: Lines
    line: LineInfo | None
    state: CallState
    record: dict[str, Any]


def route_incoming(
    database: Database, ctx: RoutingContext, incoming: IncomingCall, now: datetime
) -> list[Instruction]:
    """A call arrives: plan it, then record it (once per CallSid) and ring the first round.

    Two requests with the same new CallSid at once: the second one's insert fails on the
    unique CallSid, and `transact` runs it again, when it finds the first one's record.
    """
    with database.read() as session:  # begins only if a per-process copy must be refreshed
        arrival = plan_arrival(session, ctx, incoming, now)
    return database.transact(lambda session: start_call(session, arrival, now))


def plan_arrival(
    session: Session, ctx: RoutingContext, incoming: IncomingCall, now: datetime
) -> Arrival:
    lines = ctx.lines.current(session)
    line = lines.for_number(incoming.to)
    if line is None:
        # The number dialed is ours (Twilio sent it), not the caller's: safe to name.
        log.warning(
            "call %s to %s, which no line has: global fallback", incoming.call_sid, incoming.to
        )
    state, record = _new_call(session, ctx, lines, incoming, line, now)
    return Arrival(incoming, lines, line, state, record)


def start_call(session: Session, arrival: Arrival, now: datetime) -> list[Instruction]:
    """Record the planned call and ring its first round; a repeated CallSid is answered again."""
    line, lines = arrival.line, arrival.lines
    existing = call_by_sid(session, arrival.incoming.call_sid)
    if existing is not None:
        return [*_greet(line), *_again(session, existing, lines, line, now)]
    state = replace(arrival.state)  # a retried transaction starts again from the plan
    roster = Roster.read(session, [Step.from_json(s) for s in state.plan], lines, set())
    instructions = advance(session, state, roster, line, now)
    insert_attempts(session, insert_call(session, state, **arrival.record), roster.pending)
    return [*_greet(line), *instructions]


def continue_call(
    session: Session, ctx: RoutingContext, outcome: DialOutcome, now: datetime
) -> list[Instruction]:
    """A dial ended: the call is bridged and done, or the next round is rung."""
    call = session.scalar(select(Call).where(Call.call_sid == outcome.call_sid))
    if call is None:
        raise LookupError("dial result for a call we have no record of")
    lines = ctx.lines.current(session)
    line = lines.by_id.get(call.hotline_id) if call.hotline_id else None
    if (call.dial_step, call.dial_round) != (outcome.step, outcome.round) or call.result != ROUTING:
        return replay(session, call, line)
    released = close_round(session, call, outcome, now)
    leases.release(session, call.call_sid, released)
    if outcome.bridged:
        finish_bridged(session, call, outcome, now)  # the action comes when the talk has ended
        return [Hangup()]
    plan = [Step.from_json(step) for step in call.plan]
    roster = Roster.read(session, plan, lines, tried_targets(session, call))
    instructions = advance(session, call, roster, line, now)
    insert_attempts(session, call.id, roster.pending)
    return instructions


def advance(
    session: Session, call: RoutedCall, roster: Roster, line: LineInfo | None, now: datetime
) -> list[Instruction]:
    """Ring the next round that has somebody free to ring; else the closing message.

    The attempts are noted on `roster`; the caller writes them with the call.
    """
    return _next_round(session, call, [Step.from_json(s) for s in call.plan], roster, line, now)


def _again(
    session: Session, state: CallState, lines: Lines, line: LineInfo | None, now: datetime
) -> list[Instruction]:
    """A repeated arrival: the same answer as the first time, nobody rung twice."""
    call = session.get(Call, state.id)
    assert call is not None
    if call.result == ROUTING and call.dial_step is None:  # made by a status callback first
        plan = [Step.from_json(step) for step in call.plan]
        roster = Roster.read(session, plan, lines, set())
        instructions = advance(session, call, roster, line, now)
        insert_attempts(session, call.id, roster.pending)
        return instructions
    return replay(session, call, line)


def _next_round(
    session: Session,
    call: RoutedCall,
    plan: list[Step],
    roster: Roster,
    line: LineInfo | None,
    now: datetime,
) -> list[Instruction]:
    index, round_ = _next_position(call)
    while index < len(plan):
        step = plan[index]
        if step.is_fallback:
            if round_ > 0:
                break  # the fallback has been rung: nothing is left to dial
            return [_dial_fallback(call, index, step, roster, line, now)]
        remaining = _remaining_wait(call, line, now)
        if remaining < MIN_RING_SECONDS:
            index, round_ = len(plan) - 1, 0  # the wait cap is used up: straight to the fallback
            continue
        dial = _ring_round(session, call, (index, round_), step, roster, line, remaining, now)
        if dial is not None:
            return [dial]
        index, round_ = index + 1, 0  # nobody of this tier is left to ring
    call.result = "missed"
    call.dial_step = call.dial_round = None
    language = line.language if line else "zh-CN"
    return [closing(line.closing_message if line else None, language), Hangup()]


def replay(session: Session, call: Call, line: LineInfo | None) -> list[Instruction]:
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
    lines: Lines,
    incoming: IncomingCall,
    line: LineInfo | None,
    now: datetime,
) -> tuple[CallState, dict[str, Any]]:
    """The new call's routing state, and the rest of its record."""
    pseudonyms = linked_pseudonyms(
        incoming.caller,
        line.region if line else None,
        ctx.pseudonym_key,
        ctx.pseudonym_key_previous,
    )
    own, overflow = _duties(session, ctx, lines, line, now)
    fallback = (line.fallback_number if line else None) or ctx.fallback_number
    state = CallState(
        id=None,
        call_sid=incoming.call_sid,
        hotline_id=line.id if line else None,
        arrived_at=now,
        plan=[step.as_json() for step in build_plan(own, overflow, fallback)],
        result=ROUTING,
    )
    record = {
        "caller": pseudonyms[0],
        "caller_link": pseudonyms[1] if len(pseudonyms) > 1 else None,
        "status": "ringing",
        "rota_version": own.version,
    }
    return state, record


def _duties(
    session: Session, ctx: RoutingContext, lines: Lines, line: LineInfo | None, now: datetime
) -> tuple[LineDuty, list[LineDuty]]:
    """Who is on duty now on the line and, after it, on each of its overflow lines."""
    if line is None:
        return LineDuty("", None, ()), []
    duties = []
    for each in (line, *(lines.by_key[key] for key in line.overflow if key in lines.by_key)):
        version, tiers = ctx.duty.tiers_at(session, each.id, each.key, now)
        duties.append(LineDuty(each.key, version, tiers))
    return duties[0], duties[1:]


def _greet(line: LineInfo | None) -> list[Instruction]:
    return [greeting(line.name, line.language)] if line is not None else []


def _next_position(call: RoutedCall) -> tuple[int, int]:
    if call.dial_step is None or call.dial_round is None:
        return 0, 0
    return call.dial_step, call.dial_round + 1


def _remaining_wait(call: RoutedCall, line: LineInfo | None, now: datetime) -> int:
    if line is None:
        return 0
    return line.max_wait_seconds - int((now - call.arrived_at).total_seconds())


def _ring_round(
    session: Session,
    call: RoutedCall,
    position: tuple[int, int],
    step: Step,
    roster: Roster,
    line: LineInfo | None,
    remaining: int,
    now: datetime,
) -> Dial | None:
    """Claim the next counselors of the step in order; ring them (None when nobody is free).

    A counselor another call holds is skipped, and the skip is recorded on this call.
    """
    ring_seconds = min(line.ring_seconds if line else 20, remaining)
    until = now + timedelta(seconds=ring_seconds) + leases.RING_MARGIN
    step_line = roster.lines.by_key.get(step.hotline or "")
    limit = SIMULTANEOUS_LIMIT if step_line is not None and step_line.simultaneous else 1
    chosen: list[str] = []
    skipped: list[str] = []
    for key in waiting(step, roster.tried):
        if roster.looks_free(key, call.call_sid, now) and leases.claim(
            session, key, call.call_sid, until, now
        ):
            chosen.append(key)
            if len(chosen) == limit:
                break
        else:
            skipped.append(key)
    roster.tried.update(skipped)
    targets: list[tuple[str, str | None]] = [(key, "busy-elsewhere") for key in skipped]
    targets += [(key, None) for key in chosen]
    roster.note(position, step, targets, now)
    if not chosen:
        return None
    call.dial_step, call.dial_round = position
    rings = tuple(Ring(key, roster.people[key].phone, screen=True) for key in chosen)
    caller_id = line.number if line else rings[0].number
    return Dial(rings, max(ring_seconds, MIN_RING_SECONDS), caller_id, *position)


def _dial_fallback(
    call: RoutedCall,
    index: int,
    step: Step,
    roster: Roster,
    line: LineInfo | None,
    now: datetime,
) -> Dial:
    assert step.fallback is not None
    roster.note((index, 0), step, [(FALLBACK, None)], now)
    call.dial_step, call.dial_round = index, 0
    caller_id = line.number if line else step.fallback
    ring = Ring(FALLBACK, step.fallback, screen=False)
    return Dial((ring,), FALLBACK_RING_SECONDS, caller_id, index, 0)
