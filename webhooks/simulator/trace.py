"""What a simulated call did: every request, verb, dial leg and callback, and how it ended."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit


@dataclass(frozen=True)
class RequestRecord:
    """One HTTP request the simulator made. `params` excludes the signature (a header)."""

    at: float
    kind: str  # incoming, gather, dial-action, redirect, record, fallback, screen, status-callback
    method: str
    url: str
    params: tuple[tuple[str, str], ...]
    call_sid: str
    token: str  # I-Twilio-Idempotency-Token
    status: int | None  # None: no HTTP reply (connection failure)
    content_type: str = ""
    body: str = ""
    error_code: int | None = None  # when the reply could not be used as TwiML

    def param(self, name: str) -> str | None:
        return next((value for key, value in self.params if key == name), None)

    @property
    def form(self) -> dict[str, str]:
        return dict(self.params)

    @property
    def path(self) -> str:
        parts = urlsplit(self.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass(frozen=True)
class VerbRecord:
    at: float
    leg: str  # "caller", or the dialled number for a screen
    verb: str
    detail: str = ""


@dataclass(frozen=True)
class ErrorRecord:
    at: float
    url: str
    code: int
    detail: str


@dataclass
class DialLeg:
    """One `<Number>` rung by a `<Dial>`. `outcome` is the child leg's final CallStatus."""

    number: str
    call_sid: str
    behaviour: str
    caller_id: str
    started_at: float
    outcome: str = "ringing"  # completed, busy, no-answer, failed, canceled
    answered_at: float | None = None
    ended_at: float | None = None
    bridged: bool = False
    screen_digits: str | None = None  # keys pressed at the screen; None when never asked
    screen_result: str | None = None  # bridged, declined, error; None without a screen
    heard: list[str] = field(default_factory=list)  # what the screen said to the called party

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    @property
    def rang_seconds(self) -> float:
        end = self.answered_at if self.answered_at is not None else self.ended_at
        return (end if end is not None else self.started_at) - self.started_at

    @property
    def duration(self) -> int:
        """DialCallDuration: seconds from answer to hang-up."""
        if self.answered_at is None or self.ended_at is None:
            return 0
        return round(self.ended_at - self.answered_at)


@dataclass
class DialRecord:
    """One `<Dial>` verb and what it reported to its `action` (DialCallStatus, DialBridged)."""

    at: float
    sequential: bool
    timeout: float
    caller_id: str
    answer_on_bridge: bool
    action: str | None
    legs: list[DialLeg] = field(default_factory=list)
    status: str = ""
    bridged: bool = False
    call_sid: str | None = None  # DialCallSid
    ended_at: float | None = None

    @property
    def numbers(self) -> list[str]:
        return [leg.number for leg in self.legs]


@dataclass
class CallTrace:
    call_sid: str
    account_sid: str
    from_: str
    to: str
    started_at: datetime
    requests: list[RequestRecord] = field(default_factory=list)
    verbs: list[VerbRecord] = field(default_factory=list)
    dials: list[DialRecord] = field(default_factory=list)
    said: list[str] = field(default_factory=list)  # what the caller heard (Say texts)
    errors: list[ErrorRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    dropped_callbacks: list[tuple[tuple[str, str], ...]] = field(default_factory=list)
    timeline: list[tuple[float, str]] = field(default_factory=list)
    status: str = ""  # the parent call's final CallStatus
    ended_by: str = ""  # hangup, end-of-document, reject, caller-hangup, application-error, ...
    duration: float = 0.0
    bridged_to: str | None = None
    # Told each line of the timeline as it happens (a call in real time is followed live).
    listener: Callable[[str], None] | None = field(default=None, compare=False, repr=False)

    @property
    def legs(self) -> list[DialLeg]:
        return [leg for dial in self.dials for leg in dial.legs]

    @property
    def callbacks(self) -> list[RequestRecord]:
        return [request for request in self.requests if request.kind == "status-callback"]

    @property
    def loop_detected(self) -> bool:
        return self.ended_by == "loop"

    def requests_to(self, path: str) -> list[RequestRecord]:
        """Requests whose URL path (without query) is `path`."""
        return [request for request in self.requests if urlsplit(request.url).path == path]

    def log(self, at: float, text: str) -> None:
        self.timeline.append((at, text))
        if self.listener is not None:
            self.listener(f"{_clock(at)} {text}")

    def describe(self) -> str:
        lines = [f"{_clock(at)} {text}" for at, text in self.timeline]
        return "\n".join([*lines, self.summary()])

    def summary(self) -> str:
        """The last line: how the call ended."""
        bridged = f"bridged to {self.bridged_to}" if self.bridged_to else "not bridged"
        return (
            f"{_clock(self.duration)} ■ {self.ended_by} · {self.status} · "
            f"{self.duration:.0f} s · {bridged}"
        )


def _clock(at: float) -> str:
    minutes, seconds = divmod(int(at), 60)
    return f"{minutes:02d}:{seconds:02d}"
