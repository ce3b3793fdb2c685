"""A call and its attempts as routing sees them: plain values that the store reads and writes
(`hotline.routing.store`), and the rules that turn a finished dial into results.

Nothing here touches the database: a routing transaction reads what it needs through the
store, changes these values, and writes them back through the store, one way, in an order the
code spells out (never the order in which an ORM session happens to flush).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from hotline.records.vocabulary import AttemptResult, CallResult
from hotline.routing.decisions import Dial, Ring
from hotline.routing.directory import LineInfo, Lines
from hotline.routing.inputs import DialOutcome
from hotline.routing.plan import FALLBACK, FALLBACK_RING_SECONDS, Step

# Attempt results after which a counselor is not rung again for this call.
TRIED = frozenset(
    {
        AttemptResult.ACCEPTED,
        AttemptResult.BRIDGED,
        AttemptResult.DECLINED,
        AttemptResult.NO_KEY,
        AttemptResult.NO_ANSWER,
        AttemptResult.BUSY,
        AttemptResult.FAILED,
        AttemptResult.BUSY_ELSEWHERE,
    }
)
# How Twilio says a leg that nobody took ended.
_LEG_ENDINGS = {
    "no-answer": AttemptResult.NO_ANSWER,
    "busy": AttemptResult.BUSY,
    "failed": AttemptResult.FAILED,
    "canceled": AttemptResult.CANCELED,
}


@dataclass(slots=True)
class CallState:
    """The part of a call record that routing reads and writes (`id` None: not yet saved)."""

    id: int | None
    call_sid: str
    hotline_id: int | None
    arrived_at: datetime
    plan: list[dict[str, Any]]
    result: CallResult
    dial_step: int | None = None
    dial_round: int | None = None
    answered_at: datetime | None = None
    answered_by_id: int | None = None
    answered_line_id: int | None = None


@dataclass(slots=True)
class Attempt:
    """One target rung (or skipped) in one round of a call, as stored."""

    id: int
    step: int
    round: int
    kind: str
    hotline_id: int | None
    target: str
    counselor_id: int | None
    ended_at: datetime | None
    result: AttemptResult | None


@dataclass(frozen=True, slots=True)
class Person:
    """A counselor as routing needs them: who, which phone, whether a lease holds them."""

    key: str
    id: int
    phone: str
    active: bool
    busy_call_sid: str | None
    busy_until: datetime | None


def counselors_in(plan: list[Step]) -> set[str]:
    return {key for step in plan for key in step.counselors}


@dataclass(slots=True)
class Roster:
    """What one round of dialing needs, read once: the call's plan, lines, the plan's counselors,
    who was tried; and the attempts noted while dialing, for one INSERT at the end."""

    plan: list[Step]
    lines: Lines
    people: dict[str, Person]
    tried: set[str]
    pending: list[dict[str, Any]] = field(default_factory=list)

    def note(
        self,
        position: tuple[int, int],
        step: Step,
        targets: list[tuple[str, AttemptResult | None]],
        now: datetime,
    ) -> None:
        """Attempts of a round (`result` None: still ringing)."""
        line = self.lines.by_key.get(step.hotline or "")
        for target, result in targets:
            person = self.people.get(target)
            self.pending.append(
                {
                    "step": position[0],
                    "round": position[1],
                    "kind": "fallback" if step.is_fallback else "counselor",
                    "hotline_id": line.id if line else None,
                    "tier": step.tier,
                    "target": target,
                    "counselor_id": person.id if person else None,
                    "rota_version": step.version,
                    "started_at": now,
                    "ended_at": now if result else None,
                    "result": result,
                }
            )

    def looks_free(self, key: str, call_sid: str, now: datetime) -> bool:
        """Worth a claim (the claim itself decides, atomically)."""
        person = self.people.get(key)
        if person is None or not person.active:
            return False
        lease_over = person.busy_until is None or person.busy_until <= now
        return person.busy_call_sid in (None, call_sid) or lease_over


def close_round(attempts: list[Attempt], outcome: DialOutcome, now: datetime) -> list[Attempt]:
    """Give every attempt of the finished round its result; return those that were rung."""
    rung = [a for a in attempts if a.result != AttemptResult.BUSY_ELSEWHERE]
    for attempt in rung:
        attempt.ended_at = attempt.ended_at or now  # a picked-up leg stopped ringing earlier
        attempt.result = _result_of(attempt, outcome)
    return rung


def _result_of(attempt: Attempt, outcome: DialOutcome) -> AttemptResult:
    """The screen left `answered`, `accepted` or `declined` on the leg that picked up."""
    if outcome.bridged:
        took_it = attempt.result == AttemptResult.ACCEPTED or attempt.target == FALLBACK
        return AttemptResult.BRIDGED if took_it else AttemptResult.CANCELED
    if attempt.result == AttemptResult.ANSWERED:
        return AttemptResult.NO_KEY  # picked up, never pressed a key: most likely a voicemail
    if attempt.result in (AttemptResult.DECLINED, AttemptResult.ACCEPTED):
        return attempt.result
    if outcome.status == "completed":
        return AttemptResult.CANCELED  # another leg picked up first; cut off while ringing
    return _LEG_ENDINGS.get(outcome.status, AttemptResult.FAILED)


def finish_bridged(
    call: CallState, attempts: list[Attempt], outcome: DialOutcome, now: datetime
) -> None:
    """The caller talked to a human: note who, on which line, and since when."""
    winner = next((a for a in attempts if a.result == AttemptResult.BRIDGED), None)
    call.result = CallResult.FALLBACK
    if winner is not None and winner.kind == "counselor":
        call.answered_by_id = winner.counselor_id
        call.answered_line_id = winner.hotline_id
        same_line = winner.hotline_id == call.hotline_id
        call.result = CallResult.ANSWERED if same_line else CallResult.OVERFLOWED
    if call.answered_at is None:  # no screen (the fallback line): the dial's length tells
        call.answered_at = now - timedelta(seconds=outcome.duration_s or 0)
    call.dial_step = call.dial_round = None


def outstanding_dial(
    call: CallState, rung: list[Attempt], phones: dict[str, str], line: LineInfo | None
) -> Dial | None:
    """The dial now waiting for its result, rebuilt from the attempts rung in it (for repeated
    requests); `phones` holds the phone of each counselor among them."""
    if call.result != CallResult.ROUTING or call.dial_step is None or call.dial_round is None:
        return None
    step = Step.from_json(call.plan[call.dial_step])
    if step.fallback is not None:
        phones = {**phones, FALLBACK: step.fallback}
    rings = tuple(Ring(a.target, phones[a.target], screen=a.target != FALLBACK) for a in rung)
    caller_id = line.number if line else rings[0].number
    timeout = FALLBACK_RING_SECONDS if step.is_fallback else (line.ring_seconds if line else 20)
    return Dial(rings, timeout, caller_id, call.dial_step, call.dial_round)
