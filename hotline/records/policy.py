"""Settings of the records that `settings.py` does not hold yet, read with defaults.

Each is an environment variable; `records_policy()` reads them once per boundary.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_NOTE_MAX_CHARS = 4000
UNKNOWN_AFTER_HOURS = 4


@dataclass(frozen=True, slots=True)
class RecordsPolicy:
    """How long each class of data is kept (days), and where alerts link to."""

    call_days: int = 1095
    note_days: int = 1095
    audit_days: int = 1095
    outbox_days: int = 90
    login_failure_days: int = 1
    note_max_chars: int = DEFAULT_NOTE_MAX_CHARS
    totp_issuer: str = "Hotline"


def records_policy(retention_days: int, environ: Mapping[str, str] | None = None) -> RecordsPolicy:
    """`retention_days` is HOTLINE_RETENTION_DAYS; the note and audit classes default to it."""
    env = os.environ if environ is None else environ
    return RecordsPolicy(
        call_days=retention_days,
        note_days=_days(env, "HOTLINE_NOTES_RETENTION_DAYS", retention_days),
        audit_days=_days(env, "HOTLINE_AUDIT_RETENTION_DAYS", retention_days),
        outbox_days=_days(env, "HOTLINE_OUTBOX_RETENTION_DAYS", 90),
        totp_issuer=env.get("HOTLINE_TOTP_ISSUER") or "Hotline",
    )


def _days(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "")
    if not raw:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"{name}: must be a whole number of days >= 1, got {raw!r}")
    return int(raw)
