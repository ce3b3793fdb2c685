"""One-time set-password links: signed, for one account, once, for 72 hours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hotline.accounts.password_links import link_token, redeem, set_password
from hotline.models import User

KEY = "test-secret-key-" + "0" * 32
AT = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)


def test_a_link_works_once_for_its_account_within_72_hours(world: Any) -> None:
    made = world.user("wang", "counselor", counselor="wang-li")
    with world.database.write() as writing:
        user = writing.get(User, made["id"])
        assert user is not None
        token = link_token(KEY, user, AT)
        assert redeem(writing, KEY, token, AT + timedelta(hours=71)) == user
        assert redeem(writing, KEY, token, AT + timedelta(hours=72)) is None
        assert redeem(writing, KEY, token, AT - timedelta(minutes=1)) is None
        assert redeem(writing, "another-key-" + "1" * 32, token, AT) is None
        assert redeem(writing, KEY, token[:-2] + "xx", AT) is None
        set_password(
            writing, world.passwords, user, "a long walk by the sea", AT, source=None, how="link"
        )
        assert redeem(writing, KEY, token, AT) is None  # used


def test_a_link_of_a_deactivated_account_does_not_work(world: Any) -> None:
    made = world.user("wang", "counselor", counselor="wang-li")
    with world.database.write() as writing:
        user = writing.get(User, made["id"])
        assert user is not None
        token = link_token(KEY, user, AT)
        user.active = False
        assert redeem(writing, KEY, token, AT) is None
