"""What the routing service decides, independent of TwiML: only `webhooks/` renders these."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Say:
    text: str
    language: str


@dataclass(frozen=True, slots=True)
class Ring:
    """One counselor's phone within a dial; `screen` = they must press 1 to take the call."""

    target: str
    number: str
    screen: bool


@dataclass(frozen=True, slots=True)
class Dial:
    """Ring `rings` at once for `timeout_s`; the result comes back for (`step`, `round`)."""

    rings: tuple[Ring, ...]
    timeout_s: int
    caller_id: str
    step: int
    round: int


@dataclass(frozen=True, slots=True)
class Screen:
    """The counselor hears `prompt`; the key 1 takes the call, anything else hangs up."""

    prompt: Say
    step: int
    round: int
    target: str


@dataclass(frozen=True, slots=True)
class Bridge:
    """The screened counselor accepted: connect them to the caller."""


@dataclass(frozen=True, slots=True)
class Hangup:
    pass


Instruction = Say | Dial | Screen | Bridge | Hangup
