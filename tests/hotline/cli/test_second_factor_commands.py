"""`hotline user reset-totp` and `hotline keys rotate`, driven as an administrator types them."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from hotline.accounts import enrolment, recovery
from hotline.accounts.passwords import Passwords
from hotline.cli import cli
from hotline.cli.context import Services
from hotline.clock import now
from hotline.db import Database
from hotline.models import AuditEntry, RecoveryCode, TotpEnrolment, User
from hotline.secrets_at_rest import DataKeys, Unreadable
from settings import Settings
from tests.conftest import TEST_ENV

OLD_KEY = "v1:" + "0a" * 32
NEW_KEY = "v2:" + "0b" * 32
Run = Any


def keyed(current: str, previous: str | None = None) -> Settings:
    return Settings.from_env(
        {**TEST_ENV, "HOTLINE_DATA_KEY": current, "HOTLINE_DATA_KEY_PREVIOUS": previous or ""}
    )


@pytest.fixture
def run(records_db: Database) -> Run:
    def invoke(*args: str, settings: Settings | None = None) -> Result:
        services = Services(settings or keyed(NEW_KEY), records_db)
        return CliRunner().invoke(cli, list(args), obj=services)

    return invoke


def test_reset_totp_makes_the_user_enrol_anew_and_is_audited(
    run: Run, world: Any, cheap_passwords: Passwords
) -> None:
    made = world.user("sue", "supervisor")
    with world.database.write() as writing:
        recovery.new_codes(writing, cheap_passwords.hasher, writing.get(User, made["id"]))
    reset = run("user", "reset-totp", "sue")
    assert reset.exit_code == 0, reset.output
    with world.database.read() as reading:
        sue = reading.get(User, made["id"])
        assert sue.totp_secret is None
        assert reading.scalar(select(RecoveryCode.id)) is None
        actions = list(reading.scalars(select(AuditEntry.action)))
    assert actions[-1] == "user.reset_totp"


def test_reset_totp_of_an_unknown_user_exits_2_naming_them(run: Run) -> None:
    unknown = run("user", "reset-totp", "nobody")
    assert unknown.exit_code == 2
    assert "no user 'nobody'" in unknown.output


def seal_for(world: Any, user_id: int, key: str) -> str:
    """Seal a secret for the user, and start an enrolment of theirs, with `key`."""
    keys = DataKeys.of(keyed(key))
    with world.database.write() as writing:
        user = writing.get(User, user_id)
        user.totp_secret = None
        enrolment.pending_secret(writing, keys, user, now())
        secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        user.totp_secret = keys.seal(secret, f"users.totp_secret:{user_id}")
        return secret


def stored(world: Any) -> tuple[list[str], list[str]]:
    with world.database.read() as reading:
        secrets = list(reading.scalars(select(User.totp_secret).order_by(User.id)))
        pending = list(reading.scalars(select(TotpEnrolment.secret)))
    return [s for s in secrets if s], pending


def test_keys_rotate_reseals_old_and_plain_secrets_with_the_new_key_once(
    run: Run, world: Any
) -> None:
    sam = world.user("sam", "supervisor")
    sealed = seal_for(world, sam["id"], OLD_KEY)
    plain = world.user("sue", "supervisor")["secret"]  # stored plain, as before 0008
    rotated = run("keys", "rotate", settings=keyed(NEW_KEY, OLD_KEY))
    assert rotated.exit_code == 0, rotated.output
    assert rotated.stdout.splitlines() == [
        "users.totp_secret: 2 re-encrypted, 0 already current, 0 unreadable",
        "totp_enrolments.secret: 1 re-encrypted, 0 already current, 0 unreadable",
        "care reminder contacts: 0 re-encrypted, 0 already current, 0 unreadable",
    ]
    secrets, pending = stored(world)
    assert all(value.startswith("v2:") for value in secrets + pending)
    assert plain not in "".join(secrets)
    new_only = DataKeys.of(keyed(NEW_KEY))
    with world.database.read() as reading:
        assert enrolment.stored_secret(new_only, reading.get(User, sam["id"])) == sealed
    again = run("keys", "rotate", settings=keyed(NEW_KEY, OLD_KEY))
    assert again.stdout.splitlines()[0] == (
        "users.totp_secret: 0 re-encrypted, 2 already current, 0 unreadable"
    )


def test_keys_rotate_names_secrets_that_no_key_at_hand_opens_and_exits_2(
    run: Run, world: Any
) -> None:
    sam = world.user("sam", "supervisor")
    seal_for(world, sam["id"], "v9:" + "0c" * 32)
    rotated = run("keys", "rotate", settings=keyed(NEW_KEY, OLD_KEY))
    assert rotated.exit_code == 2
    assert "users.totp_secret: 0 re-encrypted, 0 already current, 1 unreadable" in rotated.stdout
    assert "HOTLINE_DATA_KEY_PREVIOUS" in rotated.output
    with world.database.read() as reading, pytest.raises(Unreadable):
        enrolment.stored_secret(DataKeys.of(keyed(NEW_KEY)), reading.get(User, sam["id"]))
