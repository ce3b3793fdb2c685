"""The small interface every outbound provider implements (Twilio SMS, SMTP, a plugged-in one).

A provider sends one message and either returns what the provider accepted or raises
`SendFailure` saying whether trying again later could help. It never sees the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Sms:
    to: str  # E.164: a staff member's phone, never a caller's
    body: str
    status_callback: str | None  # where the provider reports delivery (None: no report)


@dataclass(frozen=True, slots=True)
class Email:
    to: str
    subject: str
    body: str


@dataclass(frozen=True, slots=True)
class Accepted:
    """The provider took the message: its reference (e.g. a MessageSid) and first status."""

    reference: str | None
    status: str = "sent"


class SendFailure(Exception):
    """The provider refused or could not be reached. `retryable`: a later try may work
    (429, 5xx, timeouts, 30003, 30008); otherwise it never will (21211, 21610, 21614, ...)."""

    def __init__(self, detail: str, *, code: str | None = None, retryable: bool) -> None:
        super().__init__(detail)
        self.detail = detail
        self.code = code
        self.retryable = retryable

    def describe(self) -> str:
        return f"{self.code}: {self.detail}" if self.code else self.detail


class SmsProvider(Protocol):
    def send_sms(self, message: Sms) -> Accepted: ...


class MailProvider(Protocol):
    def send_email(self, message: Email) -> Accepted: ...


@dataclass(frozen=True, slots=True)
class Outbound:
    """What this process sends through. `record`: nothing leaves the machine, each message is
    kept as sent (demo mode). A channel without a provider makes its messages undeliverable,
    reported to operators."""

    sms: SmsProvider | None
    email: MailProvider | None
    record: bool = False
