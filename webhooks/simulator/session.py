"""One call's state and its HTTP side: signed requests, fallback, loop guard, callbacks."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from webhooks.simulator.behaviour import PhoneBook, Phones
from webhooks.simulator.callbacks import CallbackPolicy, CallbackQueue, StatusEvent, callback_fields
from webhooks.simulator.clock import SimClock, prompt_seconds
from webhooks.simulator.trace import CallTrace, ErrorRecord, RequestRecord, VerbRecord
from webhooks.simulator.transport import Transport
from webhooks.simulator.twiml import read_reply
from webhooks.simulator.verbs import Document, Failure, Play, Prompt, Say
from webhooks.simulator.webhook import Delivery, WebhookClient

API_VERSION = "2010-04-01"
APPLICATION_ERROR = "We are sorry, an application error has occurred. Goodbye."
_SHOWN_PARAMS = ("Digits", "DialCallStatus", "DialBridged", "ErrorCode", "RecordingDuration")
_SHOWN_CALLBACK_PARAMS = ("To", "CallStatus", "SequenceNumber")


@dataclass(frozen=True)
class NumberConfig:
    """How the Twilio number is configured: its webhooks, and the account it belongs to."""

    voice_url: str
    account_sid: str
    voice_method: str = "POST"
    fallback_url: str | None = None
    fallback_method: str = "POST"
    status_callback_url: str | None = None
    status_callback_method: str = "POST"
    ring_buffer_seconds: float = 5.0  # Twilio rings about 5 s longer than <Dial timeout>
    max_call_seconds: float = 14400.0


@dataclass(frozen=True)
class CallOptions:
    """Knobs of one call; see `Simulator.place_call`."""

    caller_digits: Sequence[str] = ()
    caller_hangs_up_after: float | None = None
    dial_action_after_caller_hangup: bool = True
    callbacks: CallbackPolicy = field(default_factory=CallbackPolicy)
    seed: int | None = None
    max_documents: int = 50
    start_at: datetime | None = None
    extra_params: Sequence[tuple[str, str]] = ()
    message_seconds: float = 10.0
    sleep: Callable[[float], None] | None = None  # real time: each simulated step also passes
    listener: Callable[[str], None] | None = None  # told each line of the timeline at once


@dataclass(frozen=True)
class Ended:
    reason: str


Step = Document | Ended


def new_sid(prefix: str, rng: random.Random) -> str:
    return f"{prefix}{rng.getrandbits(128):032x}"


class CallSession:
    def __init__(
        self,
        transport: Transport,
        auth_token: str,
        config: NumberConfig,
        call: tuple[str, str, Phones],
        options: CallOptions,
        start_at: datetime,
    ) -> None:
        self.from_, self.to, phones = call
        self.config = config
        self.options = options
        self.rng = random.Random(options.seed)
        self.call_sid = new_sid("CA", self.rng)
        self.phones = PhoneBook(phones)
        self.clock = SimClock(
            hangup_at=options.caller_hangs_up_after,
            limit=config.max_call_seconds,
            sleep=options.sleep,
        )
        self.trace = CallTrace(self.call_sid, config.account_sid, self.from_, self.to, start_at)
        self.trace.listener = options.listener
        self.client = WebhookClient(transport, auth_token, new_token=self._token)
        self.callbacks = CallbackQueue(
            self._deliver_callback, self._drop_callback, options.callbacks, self.rng
        )
        self.caller_digits = list(options.caller_digits)
        self.status = "ringing"  # the parent leg's CallStatus in requests
        self.answered_at: float | None = None
        self.rejected: str | None = None
        self.caller_gone = False
        self.documents = 0

    # --- parameters ---------------------------------------------------------------------
    def params(self) -> list[tuple[str, str]]:
        return [
            ("AccountSid", self.config.account_sid),
            ("ApiVersion", API_VERSION),
            ("CallSid", self.call_sid),
            ("CallStatus", self.status),
            ("Called", self.to),
            ("Caller", self.from_),
            ("Direction", "inbound"),
            ("From", self.from_),
            ("To", self.to),
            *self.options.extra_params,
        ]

    def answer(self) -> None:
        if self.answered_at is None:
            self.answered_at = self.clock.now

    def hang_up_caller(self) -> None:
        self.caller_gone = True
        self.status = "completed"

    # --- trace --------------------------------------------------------------------------
    def log(self, text: str, at: float | None = None) -> None:
        self.trace.log(self.clock.now if at is None else at, text)

    def note(self, text: str) -> None:
        self.trace.notes.append(text)
        self.log(f"⚠ {text}")

    def verb(self, leg: str, name: str, detail: str = "") -> None:
        self.trace.verbs.append(VerbRecord(self.clock.now, leg, name, detail))
        indent = "" if leg == "caller" else f"  [{leg}] "
        self.log(f"{indent}{name}{' ' + detail if detail else ''}")

    def play(self, prompt: Prompt, leg: str, heard: list[str]) -> None:
        """Say/Play/Pause to one leg: logged, and the simulated clock moves on."""
        if isinstance(prompt, Say):
            heard.append(prompt.text)
            self.verb(leg, f"Say({prompt.language})", repr(_short(prompt.text)))
        elif isinstance(prompt, Play):
            self.verb(leg, "Play", repr(prompt.url))
        else:
            self.verb(leg, "Pause", f"{prompt.length:g}s")
        self.clock.advance(prompt_seconds(prompt))

    # --- TwiML requests -----------------------------------------------------------------
    def fetch(self, url: str, method: str, extra: Sequence[tuple[str, str]], kind: str) -> Step:
        """A TwiML request of the caller's leg; on failure the fallback URL, else the end."""
        params = [*self.params(), *extra]
        loaded = self.load(url, method, params, kind, self.call_sid)
        if not isinstance(loaded, Failure):
            return loaded
        if self.config.fallback_url and kind != "fallback":
            error = [("ErrorCode", str(loaded.code)), ("ErrorUrl", url)]
            fallback = self.load(
                self.config.fallback_url,
                self.config.fallback_method,
                [*params, *error],
                "fallback",
                self.call_sid,
            )
            if not isinstance(fallback, Failure):
                return fallback
        if not self.caller_gone:
            self.trace.said.append(APPLICATION_ERROR)
            self.verb("caller", "Say(en)", f"{APPLICATION_ERROR!r} (Twilio's own message)")
        return Ended("application-error")

    def load(
        self, url: str, method: str, params: Sequence[tuple[str, str]], kind: str, call_sid: str
    ) -> Document | Failure | Ended:
        """Request one TwiML document; the loop guard counts every one."""
        if self.documents >= self.options.max_documents:
            self.note(f"more than {self.options.max_documents} TwiML documents: a loop? stopped")
            return Ended("loop")
        self.documents += 1
        self.callbacks.flush(self.clock.now)
        delivery = self.client.send(method, url, params)
        if delivery.reply is None:
            read: Document | Failure = Failure(delivery.error_code or 11200, delivery.detail)
        else:
            read = read_reply(delivery.url, delivery.reply)
        self._record(kind, delivery, call_sid, read)
        if call_sid == self.call_sid and self.status == "ringing":
            self.status = "in-progress"
        if isinstance(read, Failure):
            self.trace.errors.append(ErrorRecord(self.clock.now, url, read.code, read.detail))
        else:
            for text in read.notes:
                self.note(text)
        return read

    def _record(
        self,
        kind: str,
        delivery: Delivery,
        call_sid: str,
        read: Document | Failure | None,
        at: float | None = None,
    ) -> None:
        reply = delivery.reply
        code = read.code if isinstance(read, Failure) else None
        at = self.clock.now if at is None else at
        record = RequestRecord(
            at=at,
            kind=kind,
            method=delivery.method,
            url=delivery.url,
            params=delivery.params,
            call_sid=call_sid,
            token=delivery.token,
            status=reply.status if reply else None,
            content_type=reply.content_type if reply else "",
            body=reply.body if reply else "",
            error_code=code,
        )
        self.trace.requests.append(record)
        names = _SHOWN_CALLBACK_PARAMS if kind == "status-callback" else _SHOWN_PARAMS
        shown = "".join(f" {k}={v}" for k, v in delivery.params if k in names)
        answer = f"{reply.status} {reply.content_type.partition(';')[0]}" if reply else "no reply"
        failed = f" ✗ {code} {read.detail}" if isinstance(read, Failure) else ""
        indent = "  " if kind == "screen" else ""
        arrow = "↪ " if kind == "status-callback" else ""
        line = f"{indent}{arrow}{delivery.method} {record.path}{shown} → {answer.strip()}{failed}"
        self.log(line, at)

    # --- status callbacks ---------------------------------------------------------------
    def queue_callback(
        self, at: float, url: str, method: str, params: Sequence[tuple[str, str]], event: str
    ) -> None:
        call_sid = dict(params).get("CallSid", self.call_sid)
        status = StatusEvent(at, url, method, tuple(params), call_sid, event, self._token())
        self.callbacks.add(status)
        self.callbacks.flush(self.clock.now)

    def _deliver_callback(self, event: StatusEvent) -> None:
        """Sent as it fires (logged at its own time), or held to the end of the call."""
        at = event.at if self.options.callbacks.order == "as-fired" else self.clock.now
        delivery = self.client.send(event.method, event.url, event.params, token=event.token)
        self._record("status-callback", delivery, event.call_sid, None, at)

    def _drop_callback(self, event: StatusEvent) -> None:
        self.trace.dropped_callbacks.append(event.params)
        self.log(f"↪ dropped status callback {event.event} of {event.call_sid[:10]}…", event.at)

    # --- the end ------------------------------------------------------------------------
    def finish(self, ended_by: str) -> CallTrace:
        now = self.clock.now
        if self.rejected is not None:
            status = "busy" if self.rejected == "busy" else "no-answer"
        elif self.answered_at is not None:
            status = "completed"
        else:
            status = "canceled" if ended_by == "caller-hangup" else "no-answer"
        self.trace.status, self.trace.ended_by, self.trace.duration = status, ended_by, now
        self.status = status
        if self.config.status_callback_url:
            duration = 0 if self.answered_at is None else round(now - self.answered_at)
            fields = [
                ("CallDuration", str(duration)),
                *callback_fields(self.trace.started_at, now, 0),
            ]
            self.queue_callback(
                now,
                self.config.status_callback_url,
                self.config.status_callback_method,
                [*self.params(), *fields],
                "completed",
            )
        self.callbacks.flush(now)
        self.callbacks.finish()
        return self.trace

    def _token(self) -> str:
        return f"{self.rng.getrandbits(160):040x}"


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
