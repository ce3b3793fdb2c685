"""Login throttling, shared by all workers through the database.

Failures are counted under keyed digests (what was typed is never stored), in three scopes: the
address, the account from that address, and the account. An address is refused after 50
failures in 15 minutes for any accounts, and for one account after 10 failures for it. The
account as a whole is never refused, or anyone who knows a username could lock its owner out:
past 10 failures in 15 minutes it only slows down. An address that has failed for it then waits
a growing delay (up to a minute) after the account's latest failure, while an address that has
not failed for it is let through at once, so the owner can still sign in from their own desk.

The account-wide ceiling (ASVS: at most 100 failed attempts an hour on one account, however many
addresses try). Past 50 failures in the last hour, every try on the account from an address its
owner has not signed in from in the last 30 days waits until 75 seconds have passed since the
account's latest failure: at most 50 failures at full speed and 49 spaced ones fit in any hour,
so 99 at most. The ceiling only slows (the wait is 75 seconds at most, never a refusal for good),
and an address the owner has signed in from (the audit log's `login.success`) is not spaced at
all: its own limits above still hold, so the owner at their usual desk gets in at once even
while an attacker keeps the account at the ceiling. Tries checked at the very same moment (one
per worker thread) may each pass before any of them is counted, as with every limit here.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.models import AuditEntry, LoginFailure

WINDOW = timedelta(minutes=15)
ADDRESS_LIMIT = 50
PAIR_LIMIT = 10  # at most 40 an hour for one account from one address (ASVS: at most 100)
SLOW_AFTER = 10
MAX_DELAY_SECONDS = 60
CEILING_WINDOW = timedelta(hours=1)
ACCOUNT_CEILING = 50  # failures an hour on one account before every try on it is spaced
SPACING = timedelta(seconds=75)  # 50 + (3600 / 75 + 1) = 99 failures an hour at most
KNOWN_FOR = timedelta(days=30)  # an address the owner signed in from skips the spacing


@dataclass(frozen=True, slots=True)
class Scopes:
    account: str
    address: str
    pair: str  # the account from the address


@dataclass(frozen=True, slots=True)
class Throttle:
    secret: bytes

    def scopes(self, username: str, address: str | None) -> Scopes:
        account, origin = username.strip().lower(), address or "-"
        return Scopes(
            self._scope("u", account),
            self._scope("a", origin),
            self._scope("p", f"{account}\n{origin}"),
        )

    def _scope(self, kind: str, value: str) -> str:
        digest = hmac.new(self.secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()
        return f"{kind}:{digest[:40]}"

    def is_throttled(
        self, session: Session, username: str, address: str | None, now: datetime
    ) -> bool:
        scopes = self.scopes(username, address)
        if _failures(session, scopes.address, now)[0] >= ADDRESS_LIMIT:
            return True
        pair = _failures(session, scopes.pair, now)[0]
        if pair >= PAIR_LIMIT:
            return True
        if pair > 0 and _slowed(session, scopes.account, now):
            return True
        return _spaced(session, scopes.account, now) and not _known(session, username, address, now)

    def record_failure(
        self, session: Session, username: str, address: str | None, now: datetime
    ) -> None:
        scopes = self.scopes(username, address)
        for scope in (scopes.account, scopes.address, scopes.pair):
            session.add(LoginFailure(scope=scope, at=now))


def delay_after(failures: int) -> timedelta:
    """How long the account's latest failure holds back the next try from a failed address."""
    if failures < SLOW_AFTER:
        return timedelta(0)
    doublings = min(failures - SLOW_AFTER, 6)  # 1, 2, 4 ... seconds, then a minute at most
    return timedelta(seconds=min(2**doublings, MAX_DELAY_SECONDS))


def _slowed(session: Session, account: str, now: datetime) -> bool:
    count, latest = _failures(session, account, now)
    return latest is not None and now - latest < delay_after(count)


def _spaced(session: Session, account: str, now: datetime) -> bool:
    """The account is past its hourly ceiling, and its latest failure is too recent."""
    count, latest = _failures(session, account, now, CEILING_WINDOW)
    return count >= ACCOUNT_CEILING and latest is not None and now - latest < SPACING


def _known(session: Session, username: str, address: str | None, now: datetime) -> bool:
    """The account's owner signed in from this address lately (asked only past the ceiling)."""
    if not address:
        return False
    found = session.scalar(
        select(AuditEntry.id)
        .where(
            AuditEntry.at > now - KNOWN_FOR,
            AuditEntry.action == "login.success",
            func.lower(AuditEntry.actor) == username.strip().lower(),
            AuditEntry.source == address[:64],
        )
        .limit(1)
    )
    return found is not None


def _failures(
    session: Session, scope: str, now: datetime, window: timedelta = WINDOW
) -> tuple[int, datetime | None]:
    found = session.execute(
        select(func.count(LoginFailure.id), func.max(LoginFailure.at)).where(
            LoginFailure.scope == scope, LoginFailure.at > now - window
        )
    ).one()
    return int(found[0] or 0), found[1]
