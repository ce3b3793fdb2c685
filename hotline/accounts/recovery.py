"""Recovery codes: ten one-time codes, shown once at enrolment, that stand in for a TOTP code when
the phone is lost. Kept as Argon2id hashes, as passwords are: a copy of the database gives none.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from hotline.models import RecoveryCode, User

COUNT = 10
GROUP = 5  # two groups of five: about 50 random bits, read off paper without mistakes
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i


def normalise(typed: str) -> str:
    """What was typed, without the dash, spaces or capitals a person may add."""
    return "".join(ch for ch in typed.lower() if ch.isalnum())


def looks_like_one(typed: str) -> bool:
    return len(normalise(typed)) == 2 * GROUP


def new_codes(session: Session, hasher: PasswordHasher, user: User) -> list[str]:
    """Ten fresh codes (any earlier ones stop working); only their hashes are kept."""
    discard(session, user)
    codes = [_new_code() for _ in range(COUNT)]
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=hasher.hash(normalise(code))) for code in codes
    )
    return codes


def use(session: Session, hasher: PasswordHasher, user: User, typed: str, now: datetime) -> int:
    """Spend the code if it is one of the user's unused ones: how many are left, or -1."""
    code = normalise(typed)
    unused = list(
        session.scalars(
            select(RecoveryCode)
            .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
            .order_by(RecoveryCode.id)
        )
    )
    for row in unused:
        if _matches(hasher, row.code_hash, code):
            return len(unused) - 1 if _spend(session, row, now) else -1
    return -1


def discard(session: Session, user: User) -> None:
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def _spend(session: Session, row: RecoveryCode, now: datetime) -> bool:
    """Only one of two sign-ins racing with one code gets it: the update checks it is unused."""
    spent = session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == row.id, RecoveryCode.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(spent, "rowcount", 0) or 0) == 1


def _matches(hasher: PasswordHasher, stored: str, code: str) -> bool:
    try:
        return hasher.verify(stored, code)
    except (VerificationError, InvalidHashError):
        return False


def _new_code() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(2 * GROUP))
    return f"{chars[:GROUP]}-{chars[GROUP:]}"
