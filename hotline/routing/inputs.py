"""What Twilio told us, as plain values the routing service takes (parsed by `webhooks/`).

`caller` fields hold the raw `From` only on the way in: the service turns it into a pseudonym
at once and keeps nothing else of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from hotline.duty import DutyIndex
from hotline.routing.directory import LineDirectory
from settings import PseudonymKey


@dataclass(frozen=True, slots=True)
class IncomingCall:
    call_sid: str
    to: str
    caller: str | None = field(repr=False)


@dataclass(frozen=True, slots=True)
class DialOutcome:
    """The `<Dial action>` request for the dial (`step`, `round`) of a call."""

    call_sid: str
    step: int
    round: int
    status: str
    bridged: bool
    dial_call_sid: str | None
    duration_s: int | None


@dataclass(frozen=True, slots=True)
class ScreenLeg:
    """A counselor's leg answered (`digits` None) or pressed keys at the screen."""

    parent_sid: str
    leg_sid: str
    step: int
    round: int
    target: str
    digits: str | None = None


@dataclass(frozen=True, slots=True)
class StatusReport:
    call_sid: str
    status: str
    sequence: int | None
    duration_s: int | None
    timestamp: datetime | None
    to: str
    caller: str | None = field(repr=False)


@dataclass(frozen=True, slots=True)
class RoutingContext:
    """What routing needs from the process: the global fallback, pseudonym keys, and the
    per-process copies of who is on duty and of the lines."""

    fallback_number: str
    pseudonym_key: PseudonymKey
    pseudonym_key_previous: PseudonymKey | None
    duty: DutyIndex
    lines: LineDirectory
