"""`<Dial>` with `<Number>` nouns (twilio-voice.md §0.5-0.8, §3): ringing, screening, bridging.

Parallel (the default): every number rings; the first to answer wins, voicemail included, and
the others are cancelled at that moment, before any screening. `sequential="true"`: one number
at a time, each for the whole timeout; an answered leg ends the sequence even if its screen
declines (per-leg semantics are undocumented; this is the pessimistic reading).
A leg rings for `timeout` + the ring buffer (≈5 s) before it is `no-answer`.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urljoin

from webhooks.simulator.behaviour import Behaviour
from webhooks.simulator.callbacks import callback_fields
from webhooks.simulator.clock import CallInterrupted
from webhooks.simulator.screen import run_screen
from webhooks.simulator.session import API_VERSION, CallSession, new_sid
from webhooks.simulator.trace import DialLeg, DialRecord
from webhooks.simulator.verbs import Dial, Document, Number

_FAILURE_PRIORITY = ("no-answer", "busy", "failed", "canceled")
MAX_NUMBERS = 10  # <Number>/<Client> nouns one <Dial> may ring


@dataclass
class _Ring:
    """A leg while it rings: when it would answer, or when and how it ends unanswered."""

    number: Number
    behaviour: Behaviour
    leg: DialLeg
    answer_at: float | None
    end_at: float
    end_status: str
    sequence: int = 0  # the next SequenceNumber of its status callbacks


class DialRun:
    def __init__(self, session: CallSession, dial: Dial, doc: Document) -> None:
        self.s = session
        self.dial = dial
        self.doc = doc
        self.caller_id = dial.caller_id or session.from_
        self.window = dial.timeout + session.config.ring_buffer_seconds
        self.rings: list[_Ring] = []
        self.record = DialRecord(
            at=session.clock.now,
            sequential=dial.sequential,
            timeout=dial.timeout,
            caller_id=self.caller_id,
            answer_on_bridge=dial.answer_on_bridge,
            action=urljoin(doc.url, dial.action) if dial.action else None,
        )
        session.trace.dials.append(self.record)

    def run(self) -> tuple[DialRecord, CallInterrupted | None]:
        """Ring, screen and bridge; the caller hanging up stops it (returned, not raised)."""
        self.s.verb("caller", "Dial", self._summary())
        numbers = list(self.dial.numbers)
        if len(numbers) > MAX_NUMBERS:
            self.s.note(f"<Dial> has {len(numbers)} numbers; Twilio rings at most {MAX_NUMBERS}")
            numbers = numbers[:MAX_NUMBERS]
        groups = [[number] for number in numbers] if self.dial.sequential else [numbers]
        try:
            for group in groups:
                winner = self._ring(group) if group else None
                if winner is not None:
                    self._connect(winner)
                    break
        except CallInterrupted as stop:
            self._abandon(self.s.clock.now)
            self._conclude(interrupted=True)
            return self.record, stop
        self._conclude(interrupted=False)
        return self.record, None

    def _ring(self, numbers: list[Number]) -> _Ring | None:
        now = self.s.clock.now
        group = [self._start(number, now) for number in numbers]
        answering = [ring for ring in group if ring.answer_at is not None]
        winner = min(answering, key=lambda ring: ring.answer_at or 0.0, default=None)
        if winner is not None and winner.answer_at is not None:
            decided = winner.answer_at
        else:
            decided = max(ring.end_at for ring in group)
        self.s.clock.advance_to(decided)
        for ring in sorted(group, key=lambda ring: ring.end_at):
            if ring is winner:
                continue
            if ring.answer_at is None and ring.end_at <= decided:
                self._end(ring, ring.end_status, ring.end_at)
            else:
                self._end(ring, "canceled", decided)
        if winner is not None:
            winner.leg.answered_at = decided
            self.s.log(f"  {winner.number.number} answered ({winner.behaviour.kind})")
            self._event(winner, "answered", "in-progress", decided)
        return winner

    def _start(self, number: Number, now: float) -> _Ring:
        behaviour = self.s.phones.dial(number.number)
        leg = DialLeg(
            number=number.number,
            call_sid=new_sid("CA", self.s.rng),
            behaviour=behaviour.describe(),
            caller_id=self.caller_id,
            started_at=now,
        )
        self.record.legs.append(leg)
        if behaviour.answers and behaviour.after <= self.window:
            ring = _Ring(number, behaviour, leg, now + behaviour.after, now + self.window, "")
        elif behaviour.kind in ("busy", "failed"):
            end = now + min(behaviour.after, self.window)
            ring = _Ring(number, behaviour, leg, None, end, behaviour.kind)
        else:
            ring = _Ring(number, behaviour, leg, None, now + self.window, "no-answer")
        self.rings.append(ring)
        self.s.log(f"  ring {number.number} [{behaviour.describe()}]")
        self._event(ring, "initiated", "initiated", now)
        if behaviour.kind not in ("busy", "failed"):
            self._event(ring, "ringing", "ringing", now)
        return ring

    def _connect(self, ring: _Ring) -> None:
        """Screen the answered leg if `<Number url>` asks for it, then bridge or hang it up."""
        result = "bridged"
        if ring.number.url:
            url = urljoin(self.doc.url, ring.number.url)
            params = self._leg_params(ring, "in-progress")
            result = run_screen(self.s, ring.leg, ring.behaviour, url, ring.number.method, params)
            ring.leg.screen_result = result
        if result == "bridged":
            self._bridge(ring)
            self.s.clock.advance(min(ring.behaviour.talk_seconds, self.dial.time_limit))
            self.s.log(f"  {ring.number.number} hung up")
        else:
            self.s.log(f"  {ring.number.number} not bridged: screen {result}")
        self._end(ring, "completed", self.s.clock.now)

    def _bridge(self, ring: _Ring) -> None:
        ring.leg.bridged = True
        self.record.bridged = True
        self.s.trace.bridged_to = ring.number.number
        self.s.answer()  # with answerOnBridge the caller's leg is answered only now
        self.s.log(f"  ⇄ bridged to {ring.number.number}")

    def _abandon(self, now: float) -> None:
        """The caller hung up: answered legs complete, ringing ones are cancelled."""
        for ring in self.rings:
            if ring.leg.ended_at is not None:
                continue
            if ring.leg.answered:
                self._end(ring, "completed", now)
            elif ring.answer_at is None and ring.end_at <= now:
                self._end(ring, ring.end_status, ring.end_at)
            else:
                self._end(ring, "canceled", now)

    def _end(self, ring: _Ring, status: str, at: float) -> None:
        ring.leg.outcome = status
        ring.leg.ended_at = at
        self._event(ring, "completed", status, at)
        if status != "completed":
            self.s.log(f"  {ring.number.number} {status} after {at - ring.leg.started_at:g}s", at)

    def _conclude(self, *, interrupted: bool) -> None:
        legs = self.record.legs
        answered = [leg for leg in legs if leg.answered]
        last_group = legs[-1:] if self.dial.sequential else legs
        chosen: DialLeg | None
        if answered:
            self.record.status, chosen = "completed", answered[-1]
        elif interrupted or not legs:
            self.record.status = "canceled" if legs else "failed"
            chosen = legs[-1] if legs else None
        else:
            outcomes = [leg.outcome for leg in last_group]
            self.record.status = next(s for s in _FAILURE_PRIORITY if s in outcomes)
            chosen = next(leg for leg in last_group if leg.outcome == self.record.status)
        self.record.call_sid = chosen.call_sid if chosen else None
        self.record.ended_at = self.s.clock.now
        bridged = "true" if self.record.bridged else "false"
        self.s.log(f"  DialCallStatus={self.record.status} DialBridged={bridged}")

    def _event(self, ring: _Ring, event: str, status: str, at: float) -> None:
        number = ring.number
        if not number.status_callback or event not in number.status_callback_events:
            return
        fields = callback_fields(self.s.trace.started_at, at, ring.sequence)
        if event == "completed":
            fields.append(("CallDuration", str(ring.leg.duration)))
        ring.sequence += 1
        url = urljoin(self.doc.url, number.status_callback)
        params = [*self._leg_params(ring, status), *fields]
        self.s.queue_callback(at, url, number.status_callback_method, params, event)

    def _leg_params(self, ring: _Ring, status: str) -> list[tuple[str, str]]:
        return [
            ("AccountSid", self.s.config.account_sid),
            ("ApiVersion", API_VERSION),
            ("CallSid", ring.leg.call_sid),
            ("CallStatus", status),
            ("Called", ring.number.number),
            ("Caller", self.caller_id),
            ("Direction", "outbound-dial"),
            ("From", self.caller_id),
            ("ParentCallSid", self.s.call_sid),
            ("To", ring.number.number),
        ]

    def _summary(self) -> str:
        d = self.dial
        mode = "sequential" if d.sequential else "parallel"
        numbers = " ".join(n.number + (" (screen)" if n.url else "") for n in d.numbers)
        extras = " answerOnBridge" if d.answer_on_bridge else ""
        extras += f" action={self.record.action}" if self.record.action else " (no action)"
        buffer = self.s.config.ring_buffer_seconds
        return (
            f"{numbers or '(nothing to dial)'} {mode} timeout={d.timeout:g}+{buffer:g}s "
            f"callerId={self.caller_id}{extras}"
        )
