"""The TOTP second factor (RFC 6238, 30-second steps): a code is accepted once, within one
step either side of now, so a code seen over a shoulder cannot be replayed.
"""

from __future__ import annotations

import hmac
from datetime import datetime, timedelta

import pyotp

STEP_SECONDS = 30


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    return str(pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer))


def matching_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step `code` belongs to (previous, current or next), if newer than `last_step`."""
    code = code.strip().replace(" ", "")
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    for drift in (0, -1, 1):
        at = now + timedelta(seconds=drift * STEP_SECONDS)
        step = int(totp.timecode(at))
        if hmac.compare_digest(str(totp.at(at)), code) and (last_step is None or step > last_step):
            return step
    return None


def current_code(secret: str, now: datetime) -> str:
    """The code an authenticator shows at `now` (for tests and the demo)."""
    return str(pyotp.TOTP(secret).at(now))
