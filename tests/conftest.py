"""Databases for the tests: SQLite always, PostgreSQL too when HOTLINE_TEST_POSTGRES_URL is set.

One database per engine per test run (migrated once), one rolled-back transaction per test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlalchemy.orm import Session

from hotline.db import Database, create_db_engine
from hotline.migrate import upgrade
from settings import Settings

POSTGRES_URL = os.environ.get("HOTLINE_TEST_POSTGRES_URL", "")
ENGINES = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


class FreshDatabases:
    """Makes empty, migrated databases (for tests that need real commits) and drops them."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.dropped: list[str] = []

    def url(self, kind: str) -> str:
        if kind == "sqlite":
            return f"sqlite:///{self.base / f'db-{uuid.uuid4().hex[:8]}.db'}"
        name = f"hotline_test_{uuid.uuid4().hex[:12]}"
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        self.dropped.append(name)
        return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)

    def engine(self, kind: str) -> Engine:
        engine = create_db_engine(self.url(kind))
        upgrade(engine)
        return engine

    def drop_all(self) -> None:
        if not self.dropped:
            return
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            for name in self.dropped:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def fresh_databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FreshDatabases]:
    made = FreshDatabases(tmp_path_factory.mktemp("databases"))
    yield made
    made.drop_all()


@pytest.fixture(scope="session", params=ENGINES)
def engine(request: pytest.FixtureRequest, fresh_databases: FreshDatabases) -> Iterator[Engine]:
    made = fresh_databases.engine(request.param)
    yield made
    made.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    with Session(bind=connection, join_transaction_mode="create_savepoint") as made:
        yield made


@pytest.fixture
def database(engine: Engine, connection: Connection) -> Database:
    return Database(engine, bind=connection)


TEST_ENV = {
    "HOTLINE_DATABASE_URL": "sqlite:///unused.db",
    "HOTLINE_PUBLIC_URL": "https://hotline.example.org",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "test-auth-token-0123456789abcdef",
    "HOTLINE_PSEUDONYM_KEY": "v2:" + "ab" * 32,
    "HOTLINE_PSEUDONYM_KEY_PREVIOUS": "v1:" + "cd" * 32,
    "HOTLINE_SECRET_KEY": "test-secret-key-" + "0" * 32,
    "HOTLINE_FALLBACK_NUMBER": "+8657400000000",
}


@pytest.fixture
def settings() -> Settings:
    return Settings.from_env(TEST_ENV)
