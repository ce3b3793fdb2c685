"""The caller's leg: run TwiML documents verb by verb, as Twilio does (twilio-voice.md §3-§4)."""

from __future__ import annotations

from urllib.parse import urljoin

from webhooks.simulator.clock import CallInterrupted
from webhooks.simulator.dial import DialRun
from webhooks.simulator.session import API_VERSION, CallSession, Ended, Step, new_sid
from webhooks.simulator.trace import DialRecord
from webhooks.simulator.verbs import (
    Dial,
    Document,
    Gather,
    Hangup,
    NotSimulated,
    Pause,
    Play,
    Record,
    Redirect,
    Reject,
    Say,
    Verb,
)

CALLER = "caller"


class CallerLeg:
    def __init__(self, session: CallSession) -> None:
        self.s = session
        self.first_verb = True

    def run(self) -> str:
        """Run the call until it ends; the reason it ended."""
        config = self.s.config
        self.s.log(f"☎ {self.s.from_} → {self.s.to} ({self.s.call_sid})")
        try:
            step = self.s.fetch(config.voice_url, config.voice_method, (), "incoming")
            while isinstance(step, Document):
                step = self.execute(step)
        except CallInterrupted as stop:
            self.s.hang_up_caller()
            self.s.log(f"✂ {stop.reason}")
            return stop.reason
        return step.reason

    def execute(self, doc: Document) -> Step:
        for verb in doc.verbs:
            step = self.run_verb(verb, doc)
            self.first_verb = False
            if step is not None:
                return step
        return Ended("end-of-document")

    def run_verb(self, verb: Verb, doc: Document) -> Step | None:
        s = self.s
        match verb:
            case Say() | Play():
                s.answer()
                s.play(verb, CALLER, s.trace.said if isinstance(verb, Say) else [])
            case Pause():
                s.play(verb, CALLER, [])  # as the first verb, a pause delays the answer
                s.answer()
            case Gather():
                return self.gather(verb, doc)
            case Dial():
                return self.dial(verb, doc)
            case Redirect():
                s.answer()
                s.verb(CALLER, "Redirect", verb.url)
                return s.fetch(urljoin(doc.url, verb.url), verb.method, (), "redirect")
            case Hangup():
                s.answer()
                s.verb(CALLER, "Hangup")
                return Ended("hangup")
            case Reject():
                return self.reject(verb)
            case Record():
                return self.record(verb, doc)
            case NotSimulated():
                s.verb(CALLER, f"<{verb.tag}>", "not simulated: skipped")
        return None

    def gather(self, gather: Gather, doc: Document) -> Step | None:
        """The caller keys only what `caller_digits` scripts; no input runs the next verb."""
        s = self.s
        s.answer()
        scripted = s.caller_digits.pop(0) if s.caller_digits else ""
        digits = gather.digits_from(scripted)
        for prompt in gather.prompts:
            s.play(prompt, CALLER, s.trace.said if isinstance(prompt, Say) else [])
        s.clock.advance(1.0 if digits else gather.timeout)
        s.verb(CALLER, "Gather", f"→ {digits!r}" if digits else "→ no input")
        if not digits and not gather.action_on_empty_result:
            return None
        action = urljoin(doc.url, gather.action) if gather.action else doc.url
        return s.fetch(action, gather.method, [("Digits", digits)], "gather")

    def dial(self, dial: Dial, doc: Document) -> Step | None:
        s = self.s
        if not dial.answer_on_bridge:
            s.answer()
        record, stop = DialRun(s, dial, doc).run()
        action = urljoin(doc.url, dial.action) if dial.action else None
        if stop is not None:
            s.hang_up_caller()
            if action and s.options.dial_action_after_caller_hangup:
                s.fetch(action, dial.method, dial_params(record), "dial-action")
            raise stop
        if action is None:
            s.log("  no action: the next verb runs")
            return None
        return s.fetch(action, dial.method, dial_params(record), "dial-action")

    def reject(self, reject: Reject) -> Step:
        if self.first_verb:
            self.s.rejected = reject.reason
            self.s.verb(CALLER, "Reject", reject.reason)
            return Ended("reject")
        self.s.note("<Reject> after the call was answered: it only hangs up")
        return Ended("hangup")

    def record(self, record: Record, doc: Document) -> Step | None:
        """The caller speaks `message_seconds`, then stays silent until `timeout` ends it."""
        s = self.s
        s.answer()
        spoken = min(s.options.message_seconds, record.max_length)
        s.verb(CALLER, "Record", f"caller speaks {spoken:g}s")
        if spoken <= 0:
            s.clock.advance(record.timeout)
            s.note("<Record> heard only silence: nothing recorded, the next verb runs")
            return None
        action = urljoin(doc.url, record.action) if record.action else doc.url
        sid = new_sid("RE", s.rng)
        started = s.clock.now
        try:
            s.clock.advance(spoken + record.timeout)
        except CallInterrupted:
            s.hang_up_caller()
            heard = min(s.clock.now - started, spoken)
            s.fetch(action, record.method, recording_params(s, sid, heard, "hangup"), "record")
            raise
        return s.fetch(action, record.method, recording_params(s, sid, spoken, ""), "record")


def dial_params(record: DialRecord) -> list[tuple[str, str]]:
    answered = next((leg for leg in record.legs if leg.call_sid == record.call_sid), None)
    params = [
        ("DialBridged", "true" if record.bridged else "false"),
        ("DialCallDuration", str(answered.duration if answered else 0)),
        ("DialCallStatus", record.status),
    ]
    if record.call_sid:
        params.append(("DialCallSid", record.call_sid))
    return params


def recording_params(
    s: CallSession, sid: str, seconds: float, digits: str
) -> list[tuple[str, str]]:
    account = s.config.account_sid
    url = f"https://api.twilio.com/{API_VERSION}/Accounts/{account}/Recordings/{sid}"
    params = [
        ("RecordingDuration", str(round(seconds))),
        ("RecordingSid", sid),
        ("RecordingUrl", url),
    ]
    return [*params, ("Digits", digits)] if digits else params
