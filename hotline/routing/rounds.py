"""The next round of a call: the next counselors free to ring, the fallback, or the closing
message when nothing at all is left to dial."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from hotline.records.vocabulary import AttemptResult, CallResult
from hotline.routing import leases
from hotline.routing.attempts import CallState, Roster
from hotline.routing.decisions import Dial, Hangup, Instruction, Ring
from hotline.routing.directory import LineInfo
from hotline.routing.plan import FALLBACK, FALLBACK_RING_SECONDS, SIMULTANEOUS_LIMIT, Step, waiting
from hotline.routing.prompts import closing

MIN_RING_SECONDS = 5  # Twilio's smallest <Dial timeout>


class Claims(Protocol):
    """The one thing a round asks of the database: reserve a counselor for this call
    (`hotline.routing.store.Store.claim`)."""

    def claim(self, key: str, call_sid: str, until: datetime, now: datetime) -> bool: ...


def advance(
    claims: Claims, call: CallState, roster: Roster, line: LineInfo | None, now: datetime
) -> list[Instruction]:
    """Ring the next round that has somebody free to ring; else the closing message.

    The attempts are noted on `roster`; the caller writes them with the call.
    """
    plan = roster.plan
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
        dial = _ring_round(claims, call, (index, round_), step, roster, line, remaining, now)
        if dial is not None:
            return [dial]
        index, round_ = index + 1, 0  # nobody of this tier is left to ring
    call.result = CallResult.MISSED
    call.dial_step = call.dial_round = None
    language = line.language if line else "zh-CN"
    return [closing(line.closing_message if line else None, language), Hangup()]


def _next_position(call: CallState) -> tuple[int, int]:
    if call.dial_step is None or call.dial_round is None:
        return 0, 0
    return call.dial_step, call.dial_round + 1


def _remaining_wait(call: CallState, line: LineInfo | None, now: datetime) -> int:
    if line is None:
        return 0
    return line.max_wait_seconds - int((now - call.arrived_at).total_seconds())


def _ring_round(
    claims: Claims,
    call: CallState,
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
        free = roster.looks_free(key, call.call_sid, now)
        if free and claims.claim(key, call.call_sid, until, now):
            chosen.append(key)
            if len(chosen) == limit:
                break
        else:
            skipped.append(key)
    roster.tried.update(skipped)
    targets: list[tuple[str, AttemptResult | None]] = [
        (key, AttemptResult.BUSY_ELSEWHERE) for key in skipped
    ]
    targets += [(key, None) for key in chosen]
    roster.note(position, step, targets, now)
    if not chosen:
        return None
    call.dial_step, call.dial_round = position
    rings = tuple(Ring(key, roster.people[key].phone, screen=True) for key in chosen)
    caller_id = line.number if line else rings[0].number
    return Dial(rings, max(ring_seconds, MIN_RING_SECONDS), caller_id, *position)


def _dial_fallback(
    call: CallState,
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
