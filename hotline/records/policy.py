"""How long each class of record is kept, and the other limits of the records, from settings."""

from __future__ import annotations

from dataclasses import dataclass

from settings import Settings

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
    job_run_days: int = 30  # the scheduler's ledger: runs and misses of the last month
    booking_days: int = 1095
    referral_days: int = 1095
    case_days: int = 1095
    note_max_chars: int = DEFAULT_NOTE_MAX_CHARS
    totp_issuer: str = "Hotline"


def records_policy(settings: Settings) -> RecordsPolicy:
    return RecordsPolicy(
        call_days=settings.retention_days,
        note_days=settings.notes_retention_days,
        audit_days=settings.audit_retention_days,
        outbox_days=settings.outbox_retention_days,
        booking_days=settings.booking_retention_days,
        referral_days=settings.referral_retention_days,
        case_days=settings.case_retention_days,
        totp_issuer=settings.totp_issuer,
    )
