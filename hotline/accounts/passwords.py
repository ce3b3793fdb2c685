"""Password hashing (Argon2id, OWASP parameters) and the rules a new password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 8
MAX_LENGTH = 128
# Argon2id with m = 19 MiB, t = 2, p = 1: the OWASP Password Storage Cheat Sheet's minimum.
PRODUCTION = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
# A few of the most common passwords (the top of every breached list), refused outright.
COMMON = frozenset(
    {
        "password",
        "password1",
        "password123",
        "12345678",
        "123456789",
        "1234567890",
        "qwertyuiop",
        "qwerty123",
        "iloveyou",
        "11111111",
        "00000000",
        "88888888",
        "abc12345",
        "abcd1234",
        "1qaz2wsx",
        "a1234567",
        "admin123",
        "welcome1",
        "letmein1",
        "hotline1",
        "changeme",
        "p@ssw0rd",
        "woaini1314",
        "5201314a",
    }
)


class WeakPassword(ValueError):
    """The new password breaks a rule: `code` names which (`too-short`, `too-long`,
    `too-common`) for the web pages to say in the reader's language; the message in English."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class Passwords:
    """Hashes and checks passwords; tests hand in a cheaper hasher explicitly."""

    def __init__(self, hasher: PasswordHasher = PRODUCTION) -> None:
        self.hasher = hasher
        # A hash to check against when the user does not exist: the same work, the same time.
        self._dummy = hasher.hash("not a password of anyone")

    def hash(self, password: str) -> str:
        check_new_password(password)
        return self.hasher.hash(password)

    def verify(self, stored: str | None, password: str) -> bool:
        try:
            return self.hasher.verify(stored or self._dummy, password) and stored is not None
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored: str) -> bool:
        return self.hasher.check_needs_rehash(stored)


def check_new_password(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword("too-short", f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise WeakPassword("too-long", f"a password has at most {MAX_LENGTH} characters")
    if password.lower() in COMMON or len(set(password)) < 3:
        raise WeakPassword("too-common", "this password is too common; choose another")
