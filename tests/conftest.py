"""Databases for the tests: SQLite always, PostgreSQL too when HOTLINE_TEST_POSTGRES_URL is set.

One database per engine per test run (migrated once), one rolled-back transaction per test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from sqlalchemy import Connection, Engine, create_engine, make_url, text
from sqlalchemy.orm import Session

from hotline.db import Database, create_db_engine
from hotline.migrate import upgrade
from settings import Settings

POSTGRES_URL = os.environ.get("HOTLINE_TEST_POSTGRES_URL", "")

# Property tests are deterministic by default (CI, `make test`): the same examples every run.
# `HYPOTHESIS_PROFILE=explore` searches at random; a failure it finds becomes an `@example`.
hypothesis.settings.register_profile("derandomized", derandomize=True, database=None)
hypothesis.settings.register_profile("explore", derandomize=False, max_examples=500)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "derandomized"))
ENGINES = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `postgresql_only` are left out (deselected, not skipped) where no
    PostgreSQL is configured; CI always has one, so they always run there."""
    if POSTGRES_URL:
        return
    left_out = [item for item in items if item.get_closest_marker("postgresql_only")]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = [item for item in items if item not in left_out]


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

    def engine(self, kind: str, **options: Any) -> Engine:
        engine = create_db_engine(self.url(kind), **options)
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
    "TWILIO_AUTH_TOKEN": "7e57a0b0c0d0e0f00123456789abcdef",  # Twilio's form: 32 hex digits
    "HOTLINE_PSEUDONYM_KEY": "v2:" + "ab" * 32,
    "HOTLINE_PSEUDONYM_KEY_PREVIOUS": "v1:" + "cd" * 32,
    "HOTLINE_DATA_KEY": "v3:" + "5e" * 32,
    "HOTLINE_SECRET_KEY": "test-secret-key-" + "0" * 32,
    "HOTLINE_FALLBACK_NUMBER": "+8657400000000",
    "HOTLINE_SMS_FROM": "+8657463898000",
}


@pytest.fixture
def settings() -> Settings:
    return Settings.from_env(TEST_ENV)


# --- Records, accounts and the web app (issue 4) ---------------------------------------------

RECORDS_CONFIG = """\
hotlines:
  - {key: city, name: 慈溪市心理援助热线, number: "+8657463898070", timezone: Asia/Shanghai,
     language: zh-CN, ring_seconds: 20, max_wait_seconds: 300, ring_strategy: sequential,
     overflow: []}
  - {key: school, name: Sunshine School Line, number: "+8657463898071",
     timezone: Europe/London, language: en, ring_seconds: 20, max_wait_seconds: 300,
     ring_strategy: sequential, overflow: [city]}
partners:
  - {key: kangning, name: 宁波市康宁医院}
counselors:
  - {key: wang-li, name: 王丽, phone: "+8613900000001"}
  - {key: li-na, name: 李娜, phone: "+8613900000003"}
  - {key: he-fang, name: 何芳, phone: "+8613900000011"}
rota:
  - {hotline: city, tier: 1, weekly: {days: [mon, tue, wed, thu, fri, sat, sun],
     start: "00:00", end: "00:00"}, counselors: [wang-li, li-na]}
  - {hotline: school, tier: 1, weekly: {days: [mon, tue, wed, thu, fri, sat, sun],
     start: "00:00", end: "00:00"}, counselors: [he-fang]}
"""


@pytest.fixture
def cheap_passwords() -> Any:
    """Argon2id with tiny costs: for tests only, handed in explicitly (never a default)."""
    from argon2 import PasswordHasher, Type

    from hotline.accounts.passwords import Passwords

    return Passwords(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, type=Type.ID))


@pytest.fixture
def records_db(database: Database) -> Database:
    """The test database with two lines (Shanghai, London), three counselors and a partner."""
    from datetime import UTC, datetime

    from hotline.config.importer import import_configuration

    with database.write() as writing:
        import_configuration(writing, RECORDS_CONFIG, datetime(2026, 1, 1, tzinfo=UTC))
    return database


@pytest.fixture
def web_app(settings: Settings, records_db: Database, cheap_passwords: Any, tmp_path: Path) -> Any:
    """The whole app (webhooks and people's pages) on the records database."""
    from hotline.app import create_app

    made = create_app(settings, records_db, spool_dir=tmp_path / "spool")
    made.extensions["hotline.accounts"].passwords = cheap_passwords
    return made


class RecordsWorld:
    """Makes users and calls directly in the records database (for tests of the records)."""

    def __init__(self, database: Database, passwords: Any) -> None:
        self.database = database
        self.passwords = passwords
        self.sids = 0

    def ids(self, model: Any, key: str) -> int:
        from sqlalchemy import select

        with self.database.read() as reading:
            found = reading.scalar(select(model.id).where(model.key == key))
        assert found is not None, key
        return int(found)

    def user(self, username: str, role: str, **options: Any) -> dict[str, Any]:
        """The user, with `password` and (for TOTP) `secret` to sign in with."""
        from datetime import UTC, datetime

        from hotline.accounts.totp import new_secret
        from hotline.accounts.users import NewUser, create_user

        password, secret = f"pw-{username}-0123", options.pop("secret", None)
        if secret is None and role in ("admin", "supervisor"):
            secret = new_secret()
        new = NewUser(username, role, password, **options)
        with self.database.write() as writing:
            made = create_user(writing, self.passwords, new, datetime.now(UTC), actor="test")
            made.totp_secret = secret
            user_id = made.id
        return {"id": user_id, "username": username, "password": password, "secret": secret}

    def call(self, line: str | None, arrived_at: Any, **values: Any) -> int:
        """A finished call (answered by `counselor` when given); returns its id."""
        from datetime import timedelta

        from hotline.models import Call, Counselor, Hotline

        self.sids += 1
        counselor = values.pop("counselor", None)
        answered = counselor is not None
        call = Call(
            call_sid=f"CA{self.sids:032d}",
            hotline_id=self.ids(Hotline, line) if line else None,
            caller=values.pop("caller", "v2:AAAAAAAAAAAAAAAAAAAAAAAAAA"),
            arrived_at=arrived_at,
            answered_at=arrived_at + timedelta(seconds=12) if answered else None,
            ended_at=arrived_at + timedelta(minutes=10),
            status="completed",
            duration_seconds=600,
            result="answered" if answered else "missed",
            answered_by_id=self.ids(Counselor, counselor) if answered else None,
            answered_line_id=self.ids(Hotline, line) if answered and line else None,
            rota_version=1,
            plan=[],
        )
        for name, value in values.items():
            setattr(call, name, value)
        with self.database.write() as writing:
            writing.add(call)
            writing.flush()
            return call.id


@pytest.fixture
def world(records_db: Database, cheap_passwords: Any) -> RecordsWorld:
    return RecordsWorld(records_db, cheap_passwords)
