"""Calls arriving at the same moment, each in its own transaction: one counselor, one call."""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import Engine, func, select, update

from hotline.app import create_app
from hotline.config.importer import import_configuration
from hotline.db import Database
from hotline.models import Call, CallAttempt, Counselor
from hotline.runtime import runtime
from settings import Settings
from tests.conftest import ENGINES, FreshDatabases
from tests.webhooks.conftest import ALL_DAY, CANARY, CITY, PHONES
from webhooks.simulator import WebhookClient, WsgiTransport

ONE_COUNSELOR = """\
hotlines:
  - {key: city, name: 慈溪市心理援助热线, number: "+8657463898070", timezone: Asia/Shanghai,
     fallback_number: "+8657487112345"}
counselors:
  - {key: wang-li, name: 王丽, phone: "+8613900000001"}
rota:
  - {hotline: city, tier: 1, weekly: ALL_DAY, counselors: [wang-li]}
""".replace("ALL_DAY", ALL_DAY)
CALLERS = 6
ROUNDS = 10


@pytest.fixture(params=ENGINES)
def shared_engine(
    request: pytest.FixtureRequest, fresh_databases: FreshDatabases
) -> Iterator[Engine]:
    engine = fresh_databases.engine(request.param)
    database = Database(engine)
    with database.write() as session:
        import_configuration(session, ONE_COUNSELOR, datetime(2026, 1, 1, tzinfo=UTC))
    yield engine
    engine.dispose()


def _all_at_once(
    app: Flask, settings: Settings, round_: int, *, same_sid: bool = False
) -> list[str]:
    """CALLERS incoming requests released together; the TwiML each one got."""
    url = settings.public_url + "/webhooks/voice/incoming"
    bodies: list[str] = []
    barrier = threading.Barrier(CALLERS)

    def call(index: int) -> None:
        client = WebhookClient(WsgiTransport(app), settings.twilio_auth_token)
        sid = f"CA{round_:016d}{0 if same_sid else index:016d}"
        form = [("CallSid", sid), ("From", CANARY), ("To", CITY)]
        barrier.wait()
        reply = client.post(url, form)
        assert reply.status == 200
        bodies.append(reply.body)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return bodies


def test_simultaneous_calls_never_ring_the_same_single_counselor(
    shared_engine: Engine, settings: Settings
) -> None:
    database = Database(shared_engine)
    app = create_app(settings, database)
    for round_ in range(ROUNDS):
        with database.write() as session:
            session.execute(update(Counselor).values(busy_call_sid=None, busy_until=None))
        bodies = _all_at_once(app, settings, round_)
        dialed = [[n.text for n in ET.fromstring(body).iter("Number")] for body in bodies]
        assert len(dialed) == CALLERS
        assert sum(PHONES["wang-li"] in numbers for numbers in dialed) == 1
        assert all(numbers for numbers in dialed)  # everybody else reached the fallback line
    assert runtime(app).counters.routing_errors == 0


def test_one_call_retried_at_the_same_moment_gets_one_record_and_one_plan(
    shared_engine: Engine, settings: Settings
) -> None:
    database = Database(shared_engine)
    app = create_app(settings, database)
    bodies = _all_at_once(app, settings, 99, same_sid=True)
    assert len(set(bodies)) == 1
    with database.read() as session:
        assert session.scalar(select(func.count()).select_from(Call)) == 1
        assert session.scalar(select(func.count()).select_from(CallAttempt)) == 1
    assert runtime(app).counters.routing_errors == 0
