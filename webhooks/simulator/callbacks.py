"""Status callbacks (twilio-voice.md §5): unordered, possibly repeated, possibly lost.

By default each callback is sent as soon as simulated time reaches it (before the next TwiML
request). The knobs hold them to the end of the call and send them reversed or shuffled,
send every one twice (same idempotency token and SequenceNumber, like a retry), or drop them.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime
from typing import Literal

CallbackOrder = Literal["as-fired", "reverse", "shuffled"]


@dataclass(frozen=True)
class StatusEvent:
    at: float
    url: str
    method: str
    params: tuple[tuple[str, str], ...]
    call_sid: str
    event: str  # initiated, ringing, answered, completed
    token: str

    def param(self, name: str) -> str | None:
        return next((value for key, value in self.params if key == name), None)


DropRule = bool | Callable[[StatusEvent], bool]


@dataclass(frozen=True)
class CallbackPolicy:
    order: CallbackOrder = "as-fired"
    duplicate: bool = False
    drop: DropRule = False


def callback_fields(start: datetime, at: float, sequence: int) -> list[tuple[str, str]]:
    """The fields every call-progress callback adds to the call's standard parameters."""
    return [
        ("CallbackSource", "call-progress-events"),
        ("SequenceNumber", str(sequence)),
        ("Timestamp", format_datetime(start + timedelta(seconds=at))),
    ]


class CallbackQueue:
    def __init__(
        self,
        deliver: Callable[[StatusEvent], None],
        drop: Callable[[StatusEvent], None],
        policy: CallbackPolicy,
        rng: random.Random,
    ) -> None:
        self._deliver = deliver
        self._drop = drop
        self.policy = policy
        self._rng = rng
        self._pending: list[StatusEvent] = []

    def add(self, event: StatusEvent) -> None:
        self._pending.append(event)

    def flush(self, now: float) -> None:
        """Send what has happened by `now` (only when callbacks are sent as they fire)."""
        if self.policy.order != "as-fired":
            return
        due = sorted((e for e in self._pending if e.at <= now), key=lambda e: e.at)
        self._pending = [e for e in self._pending if e.at > now]
        self._send(due)

    def finish(self) -> None:
        """At the end of the call: send everything still held, in the configured order."""
        held = sorted(self._pending, key=lambda e: e.at)
        self._pending = []
        if self.policy.order == "reverse":
            held.reverse()
        elif self.policy.order == "shuffled":
            self._rng.shuffle(held)
        self._send(held)

    def _send(self, events: list[StatusEvent]) -> None:
        for event in events:
            if self._dropped(event):
                self._drop(event)
                continue
            self._deliver(event)
            if self.policy.duplicate:
                self._deliver(event)

    def _dropped(self, event: StatusEvent) -> bool:
        rule = self.policy.drop
        return rule(event) if callable(rule) else rule
