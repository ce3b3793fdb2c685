"""Each user's TOTP secret, sealed with the data key, and enrolling in one: the secret being
enrolled waits in the database (sealed, for a while), never in the session cookie.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.accounts import recovery, totp
from hotline.models import TotpEnrolment, User
from hotline.records import audit
from hotline.secrets_at_rest import DataKeys, SealedColumn

# Long enough to find the phone and scan the code, even on a second try at signing in.
ENROLMENT_TIME = timedelta(minutes=15)
_BASE32 = re.compile(r"^[A-Z2-7]+=*$")


def is_legacy(value: str) -> bool:
    """A secret stored plain before revision 0008 (base32): read as it is, sealed when met."""
    return _BASE32.match(value) is not None


def _user_context(user: User) -> str:
    return f"users.totp_secret:{user.id}"


def _enrolment_context(enrolment: TotpEnrolment) -> str:
    return f"totp_enrolments.secret:{enrolment.user_id}"


SEALED_COLUMNS = (
    SealedColumn("users.totp_secret", User, "totp_secret", _user_context, is_legacy),
    SealedColumn("totp_enrolments.secret", TotpEnrolment, "secret", _enrolment_context),
)


def stored_secret(keys: DataKeys, user: User) -> str | None:
    """The user's TOTP secret in the clear (raises `Unreadable` when no key at hand opens it)."""
    value = user.totp_secret
    if value is None or is_legacy(value):
        return value
    return keys.open(value, _user_context(user))


def reseal_secret(keys: DataKeys, user: User) -> None:
    """At sign-in: a plain secret, or one sealed with the previous key, is sealed anew."""
    value = user.totp_secret
    if value is not None and not keys.is_current(value):
        plain = stored_secret(keys, user)
        user.totp_secret = keys.seal(plain or "", _user_context(user))


def pending_secret(session: Session, keys: DataKeys, user: User, now: datetime) -> str:
    """The secret the user is enrolling: the same one until it expires, then a new one."""
    enrolment = _enrolment_of(session, user)
    if enrolment is not None and enrolment.expires_at > now:
        return keys.open(enrolment.secret, _enrolment_context(enrolment))
    secret = totp.new_secret()
    if enrolment is None:
        enrolment = TotpEnrolment(user_id=user.id)
    enrolment.secret = keys.seal(secret, _enrolment_context(enrolment))
    enrolment.expires_at = now + ENROLMENT_TIME
    try:
        with session.begin_nested():
            session.add(enrolment)
    except IntegrityError:  # two tabs at once: the first one's secret stands
        found = enrolling_secret(session, keys, user, now)
        if found is None:
            raise
        return found
    return secret


def enrolling_secret(session: Session, keys: DataKeys, user: User, now: datetime) -> str | None:
    """The secret being enrolled, if one is pending and unexpired (never makes one)."""
    enrolment = _enrolment_of(session, user)
    if enrolment is None or enrolment.expires_at <= now:
        return None
    return keys.open(enrolment.secret, _enrolment_context(enrolment))


def confirm(
    session: Session, keys: DataKeys, user: User, secret: str, now: datetime, *, source: str | None
) -> None:
    """A code of the pending secret was right: it becomes the user's second factor."""
    user.totp_secret = keys.seal(secret, _user_context(user))
    session.execute(delete(TotpEnrolment).where(TotpEnrolment.user_id == user.id))
    audit.record(session, now, "totp.enrol", actor=user.username, source=source)


def reset(session: Session, user: User, now: datetime, *, actor: str) -> None:
    """Forget the user's second factor and recovery codes: they enrol anew at the next sign-in.
    Their sessions end too, since a reset usually means a lost or stolen phone."""
    user.totp_secret = None
    user.totp_last_step = None
    user.session_generation += 1
    session.execute(delete(TotpEnrolment).where(TotpEnrolment.user_id == user.id))
    recovery.discard(session, user)
    audit.record(session, now, "user.reset_totp", actor=actor, target=user.username)


def _enrolment_of(session: Session, user: User) -> TotpEnrolment | None:
    return session.scalar(select(TotpEnrolment).where(TotpEnrolment.user_id == user.id))
