"""Enrolling in TOTP with the secret kept server-side, recovery codes, and resetting both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from hotline.accounts import enrolment, recovery
from hotline.accounts.passwords import Passwords
from hotline.models import AuditEntry, RecoveryCode, TotpEnrolment, User
from hotline.secrets_at_rest import DataKeys
from settings import DataKey

AT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
KEYS = DataKeys(DataKey(4, bytes(range(32))))


def test_the_secret_being_enrolled_is_kept_sealed_and_offered_until_it_expires(
    world: Any,
) -> None:
    made = world.user("sam", "supervisor", secret="")
    with world.database.write() as writing:
        sam = writing.get(User, made["id"])
        first = enrolment.pending_secret(writing, KEYS, sam, AT)
        assert enrolment.pending_secret(writing, KEYS, sam, AT + timedelta(minutes=14)) == first
        stored = writing.scalar(select(TotpEnrolment.secret))
        assert stored is not None
        assert stored.startswith("v4:")
        assert first not in stored
        later = AT + enrolment.ENROLMENT_TIME
        assert enrolment.enrolling_secret(writing, KEYS, sam, later) is None
        assert enrolment.pending_secret(writing, KEYS, sam, later) != first


def test_each_recovery_code_works_once_however_it_is_typed(
    world: Any, cheap_passwords: Passwords
) -> None:
    made = world.user("sue", "supervisor")
    with world.database.write() as writing:
        sue = writing.get(User, made["id"])
        codes = recovery.new_codes(writing, cheap_passwords.hasher, sue)
        assert len(set(codes)) == recovery.COUNT
        typed = " " + codes[0].upper().replace("-", " ") + " "
        assert recovery.use(writing, cheap_passwords.hasher, sue, typed, AT) == 9
        assert recovery.use(writing, cheap_passwords.hasher, sue, codes[0], AT) == -1
        assert recovery.use(writing, cheap_passwords.hasher, sue, "abcde-fghjk", AT) == -1
        again = recovery.new_codes(writing, cheap_passwords.hasher, sue)
        assert recovery.use(writing, cheap_passwords.hasher, sue, codes[1], AT) == -1
        assert recovery.use(writing, cheap_passwords.hasher, sue, again[1], AT) == 9


def test_a_reset_forgets_the_second_factor_and_its_codes_and_ends_sessions(
    world: Any, cheap_passwords: Passwords
) -> None:
    made = world.user("sue", "supervisor")
    with world.database.write() as writing:
        sue = writing.get(User, made["id"])
        recovery.new_codes(writing, cheap_passwords.hasher, sue)
        generation = sue.session_generation
        enrolment.reset(writing, sue, AT, actor="cli")
        assert (sue.totp_secret, sue.totp_last_step) == (None, None)
        assert sue.session_generation == generation + 1
        assert writing.scalar(select(RecoveryCode.id)) is None
        entry = writing.scalar(select(AuditEntry).where(AuditEntry.action == "user.reset_totp"))
        assert entry is not None
        assert (entry.actor, entry.target) == ("cli", "sue")
