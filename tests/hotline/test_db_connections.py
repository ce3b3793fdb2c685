"""Pooled PostgreSQL connections: one that died while resting in the pool is replaced before
anyone uses it; one in steady use costs no ping (a round trip per webhook)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from hotline.db import Database
from tests.conftest import ENGINES, POSTGRES_URL, FreshDatabases

SERVERS = [kind for kind in ENGINES if kind != "sqlite"]  # SQLite has no connection to lose


def _kill_pooled_connections(database: Database) -> None:
    with database.read() as session:
        name = session.execute(text("SELECT current_database()")).scalar_one()
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": name},
        )
    admin.dispose()


def _one(database: Database) -> int:
    with database.write() as session:
        return int(session.execute(text("SELECT 1")).scalar_one())


@pytest.mark.postgresql_only
@pytest.mark.parametrize("kind", SERVERS)
def test_a_connection_lost_while_resting_is_replaced_before_use(
    kind: str, fresh_databases: FreshDatabases
) -> None:
    database = Database(fresh_databases.engine(kind, ping_after_idle_s=0.0))
    assert _one(database) == 1
    _kill_pooled_connections(database)
    assert _one(database) == 1  # the ping found the dead connection; a new one answered
    database.dispose()


@pytest.mark.postgresql_only
@pytest.mark.parametrize("kind", SERVERS)
def test_without_the_ping_the_dead_connection_fails_the_transaction(
    kind: str, fresh_databases: FreshDatabases
) -> None:
    """The control: what the ping is for."""
    database = Database(fresh_databases.engine(kind, ping_after_idle_s=float("inf")))
    assert _one(database) == 1
    _kill_pooled_connections(database)
    with pytest.raises(OperationalError):
        _one(database)
    assert _one(database) == 1  # the failure invalidated the pool: the next one reconnects
    database.dispose()


@pytest.mark.postgresql_only
@pytest.mark.parametrize("kind", SERVERS)
def test_a_connection_in_steady_use_is_not_pinged(
    kind: str, fresh_databases: FreshDatabases, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = Database(fresh_databases.engine(kind, ping_after_idle_s=60.0))
    pings: list[Any] = []
    dialect = database.engine.dialect
    real_ping = dialect.do_ping

    def counted_ping(conn: Any) -> bool:
        pings.append(conn)
        return real_ping(conn)

    monkeypatch.setattr(dialect, "do_ping", counted_ping)
    for _ in range(5):
        assert _one(database) == 1
    with database.raw_write() as connection:
        connection.cursor().execute("SELECT 1")
    assert pings == []
    database.dispose()
