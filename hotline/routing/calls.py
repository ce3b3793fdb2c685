"""Routing one call: arrival, then the next dial after each ring, until a human answers.

Every path ends in a dial to a human or, when nothing at all is left to dial, the closing
message with emergency numbers. Twilio may repeat a request: the call's outstanding dial
(`dial_step`, `dial_round`) lets a repeat get the same answer without ringing anyone twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.db import Database
from hotline.models import Call
from hotline.pseudonym import linked_pseudonyms
from hotline.routing import leases
from hotline.routing.decisions import Hangup, Instruction
from hotline.routing.directory import LineInfo, Lines
from hotline.routing.inputs import DialOutcome, IncomingCall, RoutingContext
from hotline.routing.plan import (
    LineDuty,
    build_plan,
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
from hotline.routing.rounds import advance
from hotline.routing.store import CallState, Store, write_transaction

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
    on the unique CallSid, the transaction and its claims are rolled back, and the repeat gets
    the first request's answer.
    """
    with database.read() as session:  # begins only if a per-process copy must be refreshed
        arrival = plan_arrival(session, ctx, incoming, now)
    try:
        with write_transaction(database) as store:
            return start_call(store, arrival, now)
    except IntegrityError:
        return database.transact(lambda session: answer_again(session, arrival))


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
    roster = Roster.read(store, state, arrival.lines, set())
    instructions = advance(store, state, roster, line, now)
    store.insert_attempts(store.insert_call(state, **arrival.record), roster.pending)
    return [*_greet(line), *instructions]


def answer_again(session: Session, arrival: Arrival) -> list[Instruction]:
    """A repeated arrival: the same answer as the first time, nobody rung twice. (A record
    made first by a status callback is not routing: the call has already ended.)"""
    call = session.scalar(select(Call).where(Call.call_sid == arrival.incoming.call_sid))
    if call is None:
        raise LookupError("an integrity error on a new call, but no call with its CallSid")
    return [*_greet(arrival.line), *replay(session, call, arrival.line)]


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
    store = Store.of(session)
    roster = Roster.read(store, call, lines, tried_targets(session, call))
    instructions = advance(store, call, roster, line, now)
    store.insert_attempts(call.id, roster.pending)
    return instructions


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
