"""Signing in: the password, then (for those who need it) a TOTP or recovery code; each step
throttled and audited. A failure never says whether the account exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlalchemy.orm import Session

from hotline.accounts import recovery, totp
from hotline.accounts.passwords import Passwords
from hotline.accounts.throttle import Throttle
from hotline.accounts.users import find_user
from hotline.models import User
from hotline.records import audit


class Verdict(Enum):
    OK = "ok"
    WRONG = "wrong"
    THROTTLED = "throttled"


@dataclass(frozen=True, slots=True)
class Attempt:
    username: str
    address: str | None


@dataclass(frozen=True, slots=True)
class LoginResult:
    verdict: Verdict
    user: User | None = None


def check_password(
    session: Session,
    passwords: Passwords,
    throttle: Throttle,
    attempt: Attempt,
    password: str,
    now: datetime,
) -> LoginResult:
    """The first step; the caller still asks for the TOTP code when the user needs one."""
    user = find_user(session, attempt.username)
    known = user.username if user else None  # never store what was typed for a non-account
    if throttle.is_throttled(session, attempt.username, attempt.address, now):
        audit.record(session, now, "login.throttled", actor=known, source=attempt.address)
        return LoginResult(Verdict.THROTTLED)
    ok = passwords.verify(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        throttle.record_failure(session, attempt.username, attempt.address, now)
        audit.record(
            session,
            now,
            "login.failure",
            actor=known,
            source=attempt.address,
            detail={"reason": "password" if user is None or user.active else "inactive"},
        )
        return LoginResult(Verdict.WRONG)
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hasher.hash(password)
    return LoginResult(Verdict.OK, user)


def check_code(
    session: Session,
    throttle: Throttle,
    user: User,
    code: str,
    attempt: Attempt,
    now: datetime,
    *,
    secret: str | None,
) -> Verdict:
    """The second step: a fresh TOTP code of `secret` (the user's own, or the one enrolling)."""
    if _throttled(session, throttle, user, attempt, now):
        return Verdict.THROTTLED
    step = None
    if secret and user.active:
        step = totp.matching_step(secret, code, now, user.totp_last_step)
    if step is None:
        return _failed(session, throttle, user, attempt, now, "totp")
    user.totp_last_step = step
    return Verdict.OK


def check_recovery_code(
    session: Session,
    throttle: Throttle,
    passwords: Passwords,
    user: User,
    code: str,
    attempt: Attempt,
    now: datetime,
) -> Verdict:
    """The second step with a recovery code instead: each works once, and its use is audited."""
    if _throttled(session, throttle, user, attempt, now):
        return Verdict.THROTTLED
    left = recovery.use(session, passwords.hasher, user, code, now) if user.active else -1
    if left < 0:
        return _failed(session, throttle, user, attempt, now, "recovery_code")
    audit.record(
        session,
        now,
        "login.recovery_code",
        actor=user.username,
        source=attempt.address,
        detail={"left": left},
    )
    return Verdict.OK


def _throttled(
    session: Session, throttle: Throttle, user: User, attempt: Attempt, now: datetime
) -> bool:
    if not throttle.is_throttled(session, user.username, attempt.address, now):
        return False
    audit.record(session, now, "login.throttled", actor=user.username, source=attempt.address)
    return True


def _failed(
    session: Session,
    throttle: Throttle,
    user: User,
    attempt: Attempt,
    now: datetime,
    reason: str,
) -> Verdict:
    throttle.record_failure(session, user.username, attempt.address, now)
    audit.record(
        session,
        now,
        "login.failure",
        actor=user.username,
        source=attempt.address,
        detail={"reason": reason},
    )
    return Verdict.WRONG


def signed_in(session: Session, user: User, attempt: Attempt, now: datetime) -> None:
    """Every check passed: note it (the session is made by the caller)."""
    user.last_login_at = now
    audit.record(session, now, "login.success", actor=user.username, source=attempt.address)
