"""A plugged-in SMS provider, as a domestic provider's adapter would be written."""

from __future__ import annotations

from dataclasses import dataclass, field

from hotline.outbound.port import Accepted, Sms
from settings import Settings


@dataclass
class Recorded:
    settings: Settings
    sent: list[Sms] = field(default_factory=list)

    def send_sms(self, message: Sms) -> Accepted:
        self.sent.append(message)
        return Accepted(reference=f"local-{len(self.sent)}")


def make(settings: Settings) -> Recorded:
    return Recorded(settings)


def not_a_provider(settings: Settings) -> object:
    return settings.public_url


not_callable = "make"
