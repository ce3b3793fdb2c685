"""A database that holds its locks too long: routing gives up within the wait limit and the
caller still reaches the fallback line, well inside Twilio's 15 seconds."""

from __future__ import annotations

import sqlite3
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hotline.app import create_app
from hotline.config.importer import import_configuration
from hotline.db import Database
from hotline.runtime import runtime
from settings import Settings
from tests.conftest import ENGINES, FreshDatabases
from tests.webhooks.conftest import CANARY, CITY, CITY_FALLBACK, ROUTING_CONFIG
from webhooks.simulator import WebhookClient, WsgiTransport

WAIT_LIMIT_MS = 500


@pytest.fixture(params=ENGINES)
def slow_engine(
    request: pytest.FixtureRequest, fresh_databases: FreshDatabases
) -> Iterator[Engine]:
    engine = fresh_databases.engine(request.param, wait_limit_ms=WAIT_LIMIT_MS)
    with Database(engine).write() as session:
        import_configuration(session, ROUTING_CONFIG, datetime(2026, 1, 1, tzinfo=UTC))
    yield engine
    engine.dispose()


@contextmanager
def another_writer_holding_its_locks(engine: Engine) -> Iterator[None]:
    """A transaction elsewhere that has taken the write lock (SQLite) or the calls table
    (PostgreSQL) and does not let go."""
    if engine.dialect.name == "sqlite":
        assert engine.url.database is not None
        writer = sqlite3.connect(engine.url.database, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("LOCK TABLE calls IN ACCESS EXCLUSIVE MODE")
        yield
        connection.rollback()


def test_a_locked_database_sends_the_caller_to_the_fallback_within_the_wait_limit(
    slow_engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    app = create_app(settings, Database(slow_engine), spool_dir=tmp_path)
    runtime(app).spool_loader.stop()  # the spool stays for the assertion below
    client = WebhookClient(WsgiTransport(app), settings.twilio_auth_token)
    url = settings.public_url + "/webhooks/voice/incoming"
    form = [("CallSid", "CA" + "9" * 32), ("From", CANARY), ("To", CITY)]
    client.post(url, [("CallSid", "CA" + "8" * 32), ("From", CANARY), ("To", CITY)])  # warm
    with another_writer_holding_its_locks(slow_engine):
        began = time.monotonic()
        reply = client.post(url, form)
        elapsed = time.monotonic() - began
    assert reply.status == 200
    assert [n.text for n in ET.fromstring(reply.body).iter("Number")] == [CITY_FALLBACK]
    assert elapsed < 3 * WAIT_LIMIT_MS / 1000
    assert runtime(app).counters.routing_errors == 1
    spooled = runtime(app).spool.current.read_text(encoding="utf-8")
    assert "CA" + "9" * 32 in spooled
