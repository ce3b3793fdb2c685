"""Passwords, TOTP codes and the demo accounts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from argon2 import extract_parameters

from hotline.accounts import create_demo_users
from hotline.accounts.passwords import PRODUCTION, Passwords, WeakPassword, check_new_password
from hotline.accounts.totp import current_code, matching_step, new_secret
from hotline.accounts.users import find_user, needs_second_factor
from hotline.db import Database

AT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def test_production_hashes_are_argon2id_with_at_least_owasp_parameters() -> None:
    found = extract_parameters(PRODUCTION.hash("a long passphrase"))
    assert found.type.name == "ID"
    assert found.memory_cost >= 19 * 1024
    assert found.time_cost >= 2
    assert found.parallelism == 1


@pytest.mark.parametrize("password", ["short", "password123", "aaaaaaaaaaaa", "x" * 129])
def test_weak_passwords_are_refused(password: str) -> None:
    with pytest.raises(WeakPassword):
        check_new_password(password)


def test_a_sixty_four_character_passphrase_is_accepted(cheap_passwords: Passwords) -> None:
    phrase = "correct horse battery staple " * 2 + "and more"
    assert cheap_passwords.verify(cheap_passwords.hash(phrase), phrase)
    assert not cheap_passwords.verify(cheap_passwords.hash(phrase), phrase.upper())
    assert not cheap_passwords.verify(None, phrase)


def test_a_totp_code_matches_its_step_and_neighbours_once() -> None:
    secret = new_secret()
    code = current_code(secret, AT)
    step = matching_step(secret, code, AT + timedelta(seconds=29), None)
    assert step is not None
    assert matching_step(secret, code, AT, step) is None  # replayed
    assert matching_step(secret, code, AT + timedelta(minutes=5), None) is None  # stale
    assert matching_step(secret, "12345", AT, None) is None


def test_demo_users_cover_every_role_and_counselor_and_can_be_made_twice(
    records_db: Database, cheap_passwords: Passwords
) -> None:
    with records_db.write() as writing:
        made = create_demo_users(writing, AT, cheap_passwords)
    with records_db.write() as writing:
        again = create_demo_users(writing, AT, cheap_passwords)
        user = find_user(writing, "wang-li")
        assert user is not None
        assert cheap_passwords.verify(user.password_hash, "demo-wang-li")
        assert not needs_second_factor(user, demo=True)
    assert made == again
    assert {role for _, _, role in made} == {"admin", "operator", "supervisor", "counselor"}
    assert ("supervisor-school", "demo-supervisor-school", "supervisor") in made


def test_admins_and_supervisors_need_a_second_factor_outside_demo_mode(world: Any) -> None:
    world.user("sue", "supervisor")
    with world.database.read() as reading:
        sue = find_user(reading, "sue")
        assert sue is not None
        sue.totp_secret = None
        assert needs_second_factor(sue, demo=False)
        assert not needs_second_factor(sue, demo=True)
