"""Routing one call: arrival, then the next dial after each ring, until a human answers.

Every path ends in a dial to a human or, when nothing at all is left to dial, the closing
message with emergency numbers. Twilio may repeat a request: the call's outstanding dial
(`dial_step`, `dial_round`) lets a repeat get the same answer without ringing anyone twice.

Each step plans from per-process copies (lines, the rota index) first, then runs one short
write transaction through the store (`hotline.routing.store`): SQLite has one writer at a time.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.db import Database
from hotline.pseudonym import linked_pseudonyms
from hotline.records.vocabulary import AttemptResult, CallResult
from hotline.routing.attempts import (
    TRIED,
    CallState,
    Roster,
    close_round,
    counselors_in,
    finish_bridged,
    outstanding_dial,
)
from hotline.routing.decisions import Hangup, Instruction
from hotline.routing.directory import LineInfo, Lines
from hotline.routing.inputs import DialOutcome, IncomingCall, RoutingContext
from hotline.routing.plan import LineDuty, Step, build_plan
from hotline.routing.prompts import closing, greeting
from hotline.routing.rounds import advance
from hotline.routing.store import Store, write_transaction

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

    A CallSid is almost always new, so the call is inserted without looking first. When Twilio
    repeats its request (the first answer was late, or both arrive at once), the insert fails
    on the unique CallSid before the repeat has claimed anyone, its transaction is rolled back,
    and the repeat gets the first request's answer.
    """
    with database.read() as session:  # begins only if a per-process copy must be refreshed
        arrival = plan_arrival(session, ctx, incoming, now)
    try:
        with write_transaction(database) as store:
            return start_call(store, arrival, now)
    except IntegrityError:
        with write_transaction(database) as store:
            return answer_again(store, arrival)


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


def start_call(store: Store, arrival: Arrival, now: datetime) -> list[Instruction]:
    """Record the planned call and ring its first round."""
    state, line = arrival.state, arrival.line
    # The call first: a repeat of its CallSid at the same moment waits here, on the unique key,
    # before it claims anyone (claims never wait: it would find this call's counselors busy
    # elsewhere), then fails and answers as this call did.
    call_id = store.insert_call(state, **arrival.record)
    roster = _roster(store, state, arrival.lines, set())
    instructions = advance(store, state, roster, line, now)
    store.insert_attempts(call_id, roster.pending)
    store.update_call(state)
    return [*_greet(line), *instructions]


def answer_again(store: Store, arrival: Arrival) -> list[Instruction]:
    """A repeated arrival: the same answer as the first time, nobody rung twice. (A record
    made first by a status callback is not routing: the call has already ended.)"""
    call = store.call(arrival.incoming.call_sid)
    if call is None:
        raise LookupError("an integrity error on a new call, but no call with its CallSid")
    return [*_greet(arrival.line), *replay(store, call, arrival.line)]


def dial_ended(
    database: Database, ctx: RoutingContext, outcome: DialOutcome, now: datetime
) -> list[Instruction]:
    """Twilio's `<Dial action>`: `continue_call` in one write transaction, run once more when
    a concurrent repeat of the request wrote the same attempts first (it then replays)."""
    with database.read() as session:  # begins only if the copy of the lines must be refreshed
        lines = ctx.lines.current(session)
    try:
        with write_transaction(database) as store:
            return continue_call(store, lines, outcome, now)
    except IntegrityError:
        with write_transaction(database) as store:
            return continue_call(store, lines, outcome, now)


def continue_call(
    store: Store, lines: Lines, outcome: DialOutcome, now: datetime
) -> list[Instruction]:
    """A dial ended: the call is bridged and done, or the next round is rung."""
    call = store.call(outcome.call_sid)
    if call is None or call.id is None:
        raise LookupError("dial result for a call we have no record of")
    line = lines.by_id.get(call.hotline_id) if call.hotline_id else None
    position = (call.dial_step, call.dial_round)
    if position != (outcome.step, outcome.round) or call.result != CallResult.ROUTING:
        return replay(store, call, line)
    attempts = store.attempts(call.id, outcome.step, outcome.round)
    rung = close_round(attempts, outcome, now)
    store.end_attempts(rung)
    store.release(call.call_sid, [a.target for a in rung])
    if outcome.bridged:
        finish_bridged(call, attempts, outcome, now)  # the action comes when the talk has ended
        store.update_call(call)
        return [Hangup()]
    tried = {target for target, result in store.targets(call.id) if result in TRIED}
    roster = _roster(store, call, lines, tried)
    instructions = advance(store, call, roster, line, now)
    store.insert_attempts(call.id, roster.pending)
    store.update_call(call)
    return instructions


def replay(store: Store, call: CallState, line: LineInfo | None) -> list[Instruction]:
    """The answer to a repeated request: the outstanding dial again, or the call's end."""
    dial = _outstanding(store, call, line)
    if dial is not None:
        return [dial]
    if call.result == CallResult.MISSED and line is not None:
        return [closing(line.closing_message, line.language), Hangup()]
    return [Hangup()]


def _outstanding(store: Store, call: CallState, line: LineInfo | None) -> Instruction | None:
    if call.result != CallResult.ROUTING or call.dial_step is None or call.dial_round is None:
        return None
    assert call.id is not None
    attempts = store.attempts(call.id, call.dial_step, call.dial_round)
    rung = [a for a in attempts if a.result != AttemptResult.BUSY_ELSEWHERE]
    people = store.staff({a.target for a in rung})
    phones = {key: person.phone for key, person in people.items()}
    return outstanding_dial(call, rung, phones, line)


def _roster(store: Store, call: CallState, lines: Lines, tried: set[str]) -> Roster:
    plan = [Step.from_json(step) for step in call.plan]
    return Roster(plan, lines, store.staff(counselors_in(plan)), tried)


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
        result=CallResult.ROUTING,
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
