"""Login throttling, shared by all workers through the database.

Failures are counted per account and per address over a rolling window, under keyed digests
(what an attacker typed is never stored). A throttled account opens again by itself when the
window has passed, so the throttle cannot lock a person out for long.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.models import LoginFailure

WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 10  # at most 40 failures an hour per account (ASVS: at most 100)
ADDRESS_LIMIT = 50


@dataclass(frozen=True, slots=True)
class Throttle:
    secret: bytes

    def scopes(self, username: str, address: str | None) -> tuple[str, str]:
        return self._scope("u", username.strip().lower()), self._scope("a", address or "-")

    def _scope(self, kind: str, value: str) -> str:
        digest = hmac.new(self.secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
        return f"{kind}:{digest[:40]}"

    def is_throttled(
        self, session: Session, username: str, address: str | None, now: datetime
    ) -> bool:
        account, origin = self.scopes(username, address)
        return (
            _failures(session, account, now) >= ACCOUNT_LIMIT
            or _failures(session, origin, now) >= ADDRESS_LIMIT
        )

    def record_failure(
        self, session: Session, username: str, address: str | None, now: datetime
    ) -> None:
        for scope in self.scopes(username, address):
            session.add(LoginFailure(scope=scope, at=now))


def _failures(session: Session, scope: str, now: datetime) -> int:
    found = session.scalar(
        select(func.count(LoginFailure.id)).where(
            LoginFailure.scope == scope, LoginFailure.at > now - WINDOW
        )
    )
    return int(found or 0)
