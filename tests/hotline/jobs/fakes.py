"""Fakes behind the outbound port: providers that record what they were handed."""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.outbound.port import Accepted, Email, SendFailure, Sms


@dataclass
class FakeSms:
    """Accepts every text, or fails with `failure` (for the next `failures` texts)."""

    sent: list[Sms] = field(default_factory=list)
    failure: SendFailure | None = None
    failures: int = 0

    def send_sms(self, message: Sms) -> Accepted:
        if self.failure is not None and self.failures > 0:
            self.failures -= 1
            raise self.failure
        self.sent.append(message)
        return Accepted(f"SM{len(self.sent):032d}", "queued")


@dataclass
class FakeMail:
    sent: list[Email] = field(default_factory=list)

    def send_email(self, message: Email) -> Accepted:
        self.sent.append(message)
        return Accepted(f"<{len(self.sent)}@test>", "sent")
