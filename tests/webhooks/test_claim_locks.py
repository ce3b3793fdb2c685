"""Concurrent claims on PostgreSQL never wait for each other's row locks.

Under a burst, calls claim the same counselors in different orders (each round takes them in
its own order). If a claim waited for a row another transaction had locked, two such calls
would deadlock; PostgreSQL breaks the cycle only after `deadlock_timeout` (1 s) and fails one of
them, whose caller then goes to the fallback. A counselor whose row another call holds is busy
elsewhere for this round instead.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from hotline.config.importer import import_configuration
from hotline.db import Database
from hotline.models import Counselor
from hotline.routing.store import Store, write_transaction
from tests.conftest import FreshDatabases
from tests.webhooks.conftest import ALL_DAY

pytestmark = pytest.mark.postgresql_only

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
UNTIL = NOW + timedelta(seconds=45)
CONFIG = """\
hotlines:
  - {key: city, name: City, number: "+8657463898070", timezone: Asia/Shanghai,
     fallback_number: "+8657487112345"}
counselors:
  - {key: a, name: A, phone: "+8613900000001"}
  - {key: b, name: B, phone: "+8613900000002"}
  - {key: c, name: C, phone: "+8613900000003"}
  - {key: d, name: D, phone: "+8613900000003"}
rota:
  - {hotline: city, tier: 1, weekly: ALL_DAY, counselors: [a, b, c, d]}
""".replace("ALL_DAY", ALL_DAY)


@pytest.fixture
def database(fresh_databases: FreshDatabases) -> Iterator[Database]:
    engine: Engine = fresh_databases.engine("postgresql")
    database = Database(engine)
    with database.write() as session:
        import_configuration(session, CONFIG, NOW - timedelta(days=1))
    yield database
    engine.dispose()


def _open(stack: ExitStack, database: Database) -> Store:
    """A routing transaction that fails rather than wait more than a second for a lock."""
    store = stack.enter_context(write_transaction(database))
    store._cursor.execute("SET LOCAL lock_timeout = '1s'")
    return store


def _holders(database: Database) -> dict[str, str | None]:
    with database.read() as session:
        rows = session.execute(select(Counselor.key, Counselor.busy_call_sid))
        return {key: holder for key, holder in rows}


def test_two_calls_claiming_in_opposite_orders_neither_wait_nor_deadlock(
    database: Database,
) -> None:
    with ExitStack() as stack:
        first, second = _open(stack, database), _open(stack, database)
        started = time.monotonic()
        assert first.claim("a", "CA1", UNTIL, NOW)
        assert second.claim("b", "CA2", UNTIL, NOW)
        assert not first.claim("b", "CA1", UNTIL, NOW)  # the second call is claiming b
        assert not second.claim("a", "CA2", UNTIL, NOW)
        assert time.monotonic() - started < 0.5
    assert _holders(database) == {"a": "CA1", "b": "CA2", "c": None, "d": None}


def test_a_phone_a_concurrent_call_is_claiming_is_busy_for_every_counselor_on_it(
    database: Database,
) -> None:
    """c and d share a phone: while one call claims c, another can take neither c nor d, and
    once the first is done the lease on the phone keeps d out as before."""
    with ExitStack() as stack:
        first, second = _open(stack, database), _open(stack, database)
        assert first.claim("c", "CA1", UNTIL, NOW)
        assert not second.claim("d", "CA2", UNTIL, NOW)
        assert not second.claim("c", "CA2", UNTIL, NOW)
    with ExitStack() as stack:
        third = _open(stack, database)
        assert not third.claim("d", "CA3", UNTIL, NOW)
        assert third.claim("d", "CA3", UNTIL, UNTIL + timedelta(seconds=1))  # the lease ended
    assert _holders(database)["d"] == "CA3"


def test_a_counselor_being_claimed_can_be_named_in_another_calls_attempts_at_once(
    database: Database,
) -> None:
    """Another call records the counselor as busy elsewhere: its attempt row refers to them,
    and the foreign key check (a KEY SHARE lock) must not wait for the claim's lock."""
    with database.read() as session:
        a_id = session.scalar(select(Counselor.id).where(Counselor.key == "a"))
    with ExitStack() as stack:
        first, second = _open(stack, database), _open(stack, database)
        assert first.claim("a", "CA1", UNTIL, NOW)
        second._cursor.execute("SELECT 1 FROM counselors WHERE id = %s FOR KEY SHARE", (a_id,))
