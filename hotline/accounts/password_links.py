"""Setting a password: by its user (knowing the current one), or through a one-time link an
administrator hands over (new account, reset), signed and bound to the password hash: it works
once, for 72 hours, and needs no table."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.orm import Session

from hotline.accounts.passwords import Passwords
from hotline.accounts.throttle import Throttle
from hotline.accounts.users import BadAccount, Problem
from hotline.models import User
from hotline.records import audit

LINK_LIFETIME = timedelta(hours=72)
_SALT = "hotline.password-link"


def unusable_hash() -> str:
    """A stored hash no password matches (no Argon2 hash starts with "!")."""
    return "!" + secrets.token_hex(16)


def link_token(secret_key: str, user: User, now: datetime) -> str:
    """The token of the account's set-password link, valid until the password changes."""
    payload = {"u": user.id, "h": _digest(user), "t": int(now.timestamp())}
    return URLSafeSerializer(secret_key, salt=_SALT).dumps(payload)


def redeem(session: Session, secret_key: str, token: str, now: datetime) -> User | None:
    """The active account a token may set the password of; None for a used, old or bad one."""
    try:
        payload = URLSafeSerializer(secret_key, salt=_SALT).loads(token)
    except BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("t"), int):
        return None
    issued = datetime.fromtimestamp(payload["t"], now.tzinfo)
    if not issued <= now < issued + LINK_LIFETIME or not isinstance(payload.get("u"), int):
        return None
    user = session.get(User, payload["u"])
    if user is None or not user.active or payload.get("h") != _digest(user):
        return None
    return user


def set_password(
    session: Session,
    passwords: Passwords,
    user: User,
    password: str,
    now: datetime,
    *,
    source: str | None,
    how: str,
) -> None:
    """The new password (raises `WeakPassword`); every other session of the user ends."""
    user.password_hash = passwords.hash(password)
    user.session_generation += 1
    detail = {"how": how}
    audit.record(
        session,
        now,
        "user.password",
        actor=user.username,
        target=user.username,
        source=source,
        detail=detail,
    )


class TooManyFailures(BadAccount):
    """The throttle refuses to check the current password now (from this address, for now)."""

    def __init__(self) -> None:
        problem = Problem("current", "throttled", "too many failed attempts: wait, then try again")
        super().__init__(problem.text, (problem,))


def change_own_password(
    session: Session,
    passwords: Passwords,
    throttle: Throttle,
    user: User,
    current: str,
    new: str,
    now: datetime,
    *,
    source: str | None,
) -> None:
    """The user's own change: only with the current password. A wrong one counts as a failed
    sign-in, in the sign-in's throttle: a stolen session must not become a password oracle."""
    if throttle.is_throttled(session, user.username, source, now):
        audit.record(session, now, "login.throttled", actor=user.username, source=source)
        raise TooManyFailures
    if not passwords.verify(user.password_hash, current):
        throttle.record_failure(session, user.username, source, now)
        detail = {"reason": "current_password"}
        audit.record(
            session, now, "login.failure", actor=user.username, source=source, detail=detail
        )
        problem = Problem("current", "current-wrong", "current password: not the current one")
        raise BadAccount(problem.text, (problem,))
    set_password(session, passwords, user, new, now, source=source, how="own")


def reset_password(
    session: Session, user: User, now: datetime, *, actor: str, source: str | None
) -> None:
    """The password stops working and the user's sessions end; the link sets a new one."""
    user.password_hash = unusable_hash()
    user.session_generation += 1
    audit.record(
        session, now, "user.password_reset", actor=actor, target=user.username, source=source
    )


def _digest(user: User) -> str:
    seen = f"{user.password_hash}:{user.session_generation}".encode()
    return hashlib.sha256(seen).hexdigest()[:24]
