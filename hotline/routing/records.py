"""The call record as routing writes it: attempts per round, results, the bridged counselor."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Call, CallAttempt, Counselor
from hotline.routing.decisions import Dial, Ring
from hotline.routing.directory import LineInfo, Lines
from hotline.routing.inputs import DialOutcome
from hotline.routing.plan import FALLBACK, FALLBACK_RING_SECONDS, Step
from hotline.routing.store import Person, RoutedCall, Store

ROUTING = "routing"
# Attempt results after which a counselor is not rung again for this call.
TRIED = frozenset(
    {"accepted", "bridged", "declined", "no-key", "no-answer", "busy", "failed", "busy-elsewhere"}
)
_LEG_ENDINGS = frozenset({"no-answer", "busy", "failed", "canceled"})


def attempts_of(session: Session, call: Call, step: int, round_: int) -> list[CallAttempt]:
    return list(
        session.scalars(
            select(CallAttempt)
            .where(CallAttempt.call_id == call.id, CallAttempt.step == step)
            .where(CallAttempt.round == round_)
            .order_by(CallAttempt.id)
        )
    )


@dataclass(slots=True)
class Roster:
    """What one round of dialing needs, read once: the call's plan, lines, the plan's counselors,
    who was tried; and the attempts noted while dialing, for one INSERT at the end."""

    plan: list[Step]
    lines: Lines
    people: dict[str, Person]
    tried: set[str]
    pending: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def read(cls, store: Store, call: RoutedCall, lines: Lines, tried: set[str]) -> Roster:
        plan = [Step.from_json(step) for step in call.plan]
        people = store.staff({key for step in plan for key in step.counselors})
        return cls(plan, lines, people, tried)

    def note(
        self,
        position: tuple[int, int],
        step: Step,
        targets: list[tuple[str, str | None]],
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


def tried_targets(session: Session, call: Call) -> set[str]:
    rows = session.scalars(
        select(CallAttempt.target).where(
            CallAttempt.call_id == call.id, CallAttempt.result.in_(TRIED)
        )
    )
    return set(rows)


def close_round(session: Session, call: Call, outcome: DialOutcome, now: datetime) -> list[str]:
    """Give every attempt of the finished round its result; return the counselors rung."""
    assert call.dial_step is not None
    assert call.dial_round is not None
    rung = []
    for attempt in attempts_of(session, call, call.dial_step, call.dial_round):
        if attempt.result == "busy-elsewhere":
            continue
        rung.append(attempt.target)
        attempt.ended_at = attempt.ended_at or now  # a picked-up leg stopped ringing earlier
        attempt.result = _result_of(attempt, outcome)
    return rung


def _result_of(attempt: CallAttempt, outcome: DialOutcome) -> str:
    """The screen left `answered`, `accepted` or `declined` on the leg that picked up."""
    if outcome.bridged:
        took_it = attempt.result == "accepted" or attempt.target == FALLBACK
        return "bridged" if took_it else "canceled"
    if attempt.result == "answered":
        return "no-key"  # picked up, never pressed a key: most likely a voicemail
    if attempt.result in ("declined", "accepted"):
        return attempt.result
    if outcome.status == "completed":
        return "canceled"  # another leg picked up first; this one was cut off while ringing
    return outcome.status if outcome.status in _LEG_ENDINGS else "failed"


def finish_bridged(session: Session, call: Call, outcome: DialOutcome, now: datetime) -> None:
    """The caller talked to a human: note who, on which line, and since when."""
    assert call.dial_step is not None
    assert call.dial_round is not None
    winner = next(
        (
            a
            for a in attempts_of(session, call, call.dial_step, call.dial_round)
            if a.result == "bridged"
        ),
        None,
    )
    call.result = "fallback"
    if winner is not None and winner.kind == "counselor":
        call.answered_by_id = winner.counselor_id
        call.answered_line_id = winner.hotline_id
        call.result = "answered" if winner.hotline_id == call.hotline_id else "overflowed"
    if call.answered_at is None:  # no screen (the fallback line): the dial's length tells
        call.answered_at = now - timedelta(seconds=outcome.duration_s or 0)
    call.dial_step = call.dial_round = None


def outstanding_dial(session: Session, call: Call, line: LineInfo | None) -> Dial | None:
    """The dial now waiting for its result, rebuilt from its attempts (for repeated requests)."""
    if call.result != ROUTING or call.dial_step is None or call.dial_round is None:
        return None
    step = Step.from_json(call.plan[call.dial_step])
    rung = [
        a
        for a in attempts_of(session, call, call.dial_step, call.dial_round)
        if a.result != "busy-elsewhere"
    ]
    phones = dict(
        session.execute(
            select(Counselor.key, Counselor.phone).where(
                Counselor.key.in_([a.target for a in rung])
            )
        ).all()
    )
    if step.fallback is not None:
        phones[FALLBACK] = step.fallback
    rings = tuple(Ring(a.target, phones[a.target], screen=a.target != FALLBACK) for a in rung)
    caller_id = line.number if line else rings[0].number
    timeout = FALLBACK_RING_SECONDS if step.is_fallback else (line.ring_seconds if line else 20)
    return Dial(rings, timeout, caller_id, call.dial_step, call.dial_round)
