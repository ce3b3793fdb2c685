"""API tokens: made at random, shown once, kept as keyed digests, revoked at once.

A token is 32 random bytes (256 bits), so a fast keyed hash is the right keeping: nothing can
be guessed, and a slow password hash would cost every request. The digest's key is derived
from the data key (`HOTLINE_DATA_KEY`); during a key rotation the previous key's digests still
match. A token made under a key that is later dropped stops working: make it anew.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import ApiToken
from settings import DataKey, Settings

PREFIX = "hlt_"
SCOPES = ("phones",)
DEFAULT_RATE_PER_SECOND = 100
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_PURPOSE = b"hotline api token digest"


class TokenProblem(ValueError):
    """A name, scope or rate that cannot be used; the message says why."""


@dataclass(frozen=True, slots=True)
class TokenHolder:
    """Who a presented token belongs to; `revoked` ones are refused (but named in the audit)."""

    id: int
    name: str
    scopes: frozenset[str]
    rate_per_second: int
    revoked: bool


class TokenDigests:
    """Digests of a token under the current data key, and the previous one while it rotates."""

    def __init__(self, current: DataKey, previous: DataKey | None = None) -> None:
        keys = [current, *([previous] if previous is not None else [])]
        # A key of its own for digests, derived from the data key, which seals other things.
        self._keys = [
            (key.version, hmac.new(key.secret, _PURPOSE, "sha256").digest()) for key in keys
        ]

    @classmethod
    def of(cls, settings: Settings) -> TokenDigests:
        return cls(settings.data_key, settings.data_key_previous)

    def current(self, token: str) -> str:
        return self._digest(*self._keys[0], token)

    def all(self, token: str) -> list[str]:
        return [self._digest(version, key, token) for version, key in self._keys]

    @staticmethod
    def _digest(version: int, key: bytes, token: str) -> str:
        mac = hmac.new(key, token.encode("utf-8", "surrogateescape"), hashlib.sha256)
        return f"v{version}:{mac.hexdigest()}"


def add_token(
    session: Session,
    digests: TokenDigests,
    name: str,
    scopes: tuple[str, ...],
    rate_per_second: int,
    now: datetime,
) -> str:
    """Make a token and keep its digest; the token itself is returned once, never kept."""
    if not NAME.match(name):
        raise TokenProblem("a token's name is [a-z0-9-], at most 40 characters")
    if unknown := sorted(set(scopes) - set(SCOPES)):
        raise TokenProblem(f"unknown scope {unknown[0]!r} (known: {', '.join(SCOPES)})")
    if rate_per_second < 1:
        raise TokenProblem("the rate is at least 1 request a second")
    if session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
        raise TokenProblem(f"a token named {name!r} exists (revoked tokens keep their names)")
    token = PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            name=name,
            digest=digests.current(token),
            scopes=sorted(set(scopes)),
            rate_per_second=rate_per_second,
            created_at=now,
        )
    )
    session.flush()
    return token


def revoke_token(session: Session, name: str, now: datetime) -> bool:
    """Revoke the token named `name`; False when there is none (or it was revoked already)."""
    row = session.scalar(select(ApiToken).where(ApiToken.name == name).with_for_update())
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = now
    return True


def find_holder(session: Session, digests: TokenDigests, token: str) -> TokenHolder | None:
    """Whose token this is, read from the database on every request, so a revocation holds
    from the next request on in every process."""
    if (asked := presented_digests(digests, token)) is None:
        return None
    row = session.execute(
        select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.scopes,
            ApiToken.rate_per_second,
            ApiToken.revoked_at,
        ).where(ApiToken.digest.in_(asked))
    ).first()
    if row is None:
        return None
    return TokenHolder(
        row.id, row.name, frozenset(row.scopes), row.rate_per_second, row.revoked_at is not None
    )


def presented_digests(digests: TokenDigests, token: str) -> list[str] | None:
    """The digests a presented token is looked up by; None for what cannot be a token."""
    if not token.startswith(PREFIX) or len(token) > 100:
        return None
    return digests.all(token)
