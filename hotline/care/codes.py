"""Short reference codes read out over the phone: six characters from an alphabet without the
look-alikes (0/O, 1/I/L), random, so a code says nothing about when or for whom it was made."""

from __future__ import annotations

import re
import secrets

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 6
_TYPED_APART = re.compile(r"[\s\-·.]+")


def new_code(prefix: str = "") -> str:
    return prefix + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def read_code(typed: str, prefix: str = "") -> str | None:
    """The code as stored, from what someone typed (any case, spaces or dashes between
    groups); None when it cannot be one."""
    plain = _TYPED_APART.sub("", typed or "").upper()
    if prefix and plain.startswith(prefix):
        plain = plain[len(prefix) :]
    if len(plain) != LENGTH or any(ch not in ALPHABET for ch in plain):
        return None
    return prefix + plain


def spoken(code: str) -> str:
    """Grouped by three for reading aloud: `K7M 4PQ`."""
    head = len(code) - LENGTH
    body = code[head:]
    return f"{code[:head]}{body[:3]} {body[3:]}"
