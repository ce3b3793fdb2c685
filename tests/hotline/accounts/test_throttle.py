"""Login throttling: an address is refused, an account only slows down, under an hourly ceiling."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.accounts.throttle import (
    ACCOUNT_CEILING,
    MAX_DELAY_SECONDS,
    SPACING,
    Throttle,
    delay_after,
)
from hotline.models import LoginFailure
from hotline.records import audit

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
    for n in range(40):  # a botnet: five tries each from eight addresses
        fail(session, f"10.0.{n // 5}.1", 1)
    after = AT + timedelta(seconds=MAX_DELAY_SECONDS - 1)
    assert THROTTLE.is_throttled(session, "sue", "10.0.0.1", after)
    assert not THROTTLE.is_throttled(session, "sue", "10.0.0.1", after + timedelta(seconds=2))
    assert not THROTTLE.is_throttled(session, "sue", "203.0.113.20", AT)  # the owner's desk


def signed_in_before(session: Session, address: str) -> None:
    audit.record(session, AT - timedelta(days=29), "login.success", actor="sue", source=address)
    session.flush()


def test_past_the_hourly_ceiling_every_new_address_waits_but_the_owners_desk_does_not(
    session: Session,
) -> None:
    signed_in_before(session, "203.0.113.20")
    for n in range(ACCOUNT_CEILING):  # one guess from each of fifty addresses
        fail(session, f"10.0.{n}.1", 1)
    just_before = AT + SPACING - timedelta(seconds=1)
    assert THROTTLE.is_throttled(session, "sue", "198.51.100.99", just_before)  # never failed
    assert not THROTTLE.is_throttled(session, "sue", "198.51.100.99", AT + SPACING)
    assert not THROTTLE.is_throttled(session, "sue", "203.0.113.20", AT)  # signed in from here
    assert not THROTTLE.is_throttled(session, "sam", "198.51.100.99", AT)  # another account


def test_one_failure_short_of_the_ceiling_nobody_new_waits(session: Session) -> None:
    for n in range(ACCOUNT_CEILING - 1):
        fail(session, f"10.0.{n}.1", 1, at=AT - timedelta(minutes=59))
    fail(session, "10.0.200.1", 1, at=AT - timedelta(minutes=61))  # out of the hour
    assert not THROTTLE.is_throttled(session, "sue", "198.51.100.99", AT)


def test_an_address_signed_in_from_long_ago_or_by_another_account_is_not_known(
    session: Session,
) -> None:
    audit.record(session, AT - timedelta(days=31), "login.success", actor="sue", source="192.0.2.1")
    audit.record(session, AT, "login.success", actor="sam", source="192.0.2.2")
    for n in range(ACCOUNT_CEILING):
        fail(session, f"10.0.{n}.1", 1)
    assert THROTTLE.is_throttled(session, "sue", "192.0.2.1", AT)
    assert THROTTLE.is_throttled(session, "sue", "192.0.2.2", AT)


def test_guesses_spread_over_many_addresses_stay_under_a_hundred_in_any_hour(
    session: Session,
) -> None:
    """ASVS 2.2.1: a botnet trying from a fresh address every few seconds, for three hours."""
    failures: list[datetime] = []
    for step in range(3 * 3600 // 4):
        at = AT + timedelta(seconds=4 * step)
        if not THROTTLE.is_throttled(session, "sue", f"10.{step // 250}.{step % 250}.1", at):
            THROTTLE.record_failure(session, "sue", f"10.{step // 250}.{step % 250}.1", at)
            session.flush()
            failures.append(at)
    busiest = max(
        sum(1 for other in failures if start <= other < start + timedelta(hours=1))
        for start in failures
    )
    assert 90 <= busiest < 100
    assert len(failures) > 100  # slowed, never stopped


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
