"""Login throttling: an address is refused, an account only slows down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.accounts.throttle import MAX_DELAY_SECONDS, Throttle, delay_after
from hotline.models import LoginFailure

AT = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
THROTTLE = Throttle(b"test-secret")


def fail(session: Session, address: str, times: int, at: datetime = AT) -> None:
    for _ in range(times):
        THROTTLE.record_failure(session, "sue", address, at)
    session.flush()


def test_ten_failures_refuse_that_address_for_that_account_only(session: Session) -> None:
    fail(session, "198.51.100.7", 10)
    assert THROTTLE.is_throttled(session, "sue", "198.51.100.7", AT)
    assert not THROTTLE.is_throttled(session, "sam", "198.51.100.7", AT)
    assert not THROTTLE.is_throttled(session, "sue", "203.0.113.20", AT)


def test_fifty_failures_refuse_the_address_for_every_account(session: Session) -> None:
    for n in range(50):
        THROTTLE.record_failure(session, f"user{n}", "198.51.100.7", AT)
    session.flush()
    assert THROTTLE.is_throttled(session, "sam", "198.51.100.7", AT)
    assert not THROTTLE.is_throttled(session, "sam", "203.0.113.20", AT)


def test_the_account_slows_down_for_addresses_that_failed_but_is_never_locked(
    session: Session,
) -> None:
    for n in range(200):  # a botnet: five tries each from forty addresses
        fail(session, f"10.0.{n // 5}.1", 1)
    after = AT + timedelta(seconds=MAX_DELAY_SECONDS - 1)
    assert THROTTLE.is_throttled(session, "sue", "10.0.0.1", after)
    assert not THROTTLE.is_throttled(session, "sue", "10.0.0.1", after + timedelta(seconds=2))
    assert not THROTTLE.is_throttled(session, "sue", "203.0.113.20", AT)  # the owner's desk


def test_the_delay_grows_from_one_second_to_a_minute() -> None:
    delays = [delay_after(n).total_seconds() for n in (0, 9, 10, 11, 12, 15, 16, 10_000)]
    assert delays == [0, 0, 1, 2, 4, 32, 60, 60]


def test_failures_are_kept_as_digests_of_what_was_typed(session: Session) -> None:
    fail(session, "198.51.100.7", 1)
    scopes = list(session.scalars(select(LoginFailure.scope)))
    assert len(scopes) == 3
    assert {scope.split(":")[0] for scope in scopes} == {"u", "a", "p"}
    assert not any("sue" in scope or "198.51" in scope for scope in scopes)


def test_failures_older_than_the_window_no_longer_count(session: Session) -> None:
    fail(session, "198.51.100.7", 10, at=AT - timedelta(minutes=16))
    assert not THROTTLE.is_throttled(session, "sue", "198.51.100.7", AT)
