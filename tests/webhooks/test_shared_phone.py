"""Two counselors with one phone (a shared duty mobile): it is rung for one call at a time."""

from __future__ import annotations

import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import Engine, update
from sqlalchemy.orm import Session

from hotline.app import create_app
from hotline.config.importer import import_configuration
from hotline.db import Database
from hotline.models import Counselor
from hotline.runtime import runtime
from settings import Settings
from tests.conftest import ENGINES, FreshDatabases
from tests.webhooks.conftest import ALL_DAY, CANARY, CITY, CITY_FALLBACK, PHONES, SCHOOL
from webhooks.simulator import WebhookClient, WsgiTransport

DUTY_MOBILE = PHONES["wang-li"]


def dialed(reply_body: str) -> list[str]:
    return [str(number.text) for number in ET.fromstring(reply_body).iter("Number")]


def incoming(webhook: WebhookClient, settings: Settings, sid: str, line: str) -> list[str]:
    form = [("CallSid", sid), ("From", CANARY), ("To", line)]
    reply = webhook.post(settings.public_url + "/webhooks/voice/incoming", form)
    assert reply.status == 200
    return dialed(reply.body)


def test_a_phone_two_counselors_share_is_rung_for_one_of_two_calls_only(
    app: Flask, webhook: WebhookClient, settings: Settings, session: Session
) -> None:
    """City's tier 1 is wang-li then zhang-wei, here on one phone; tier 2 is li-na."""
    session.execute(update(Counselor).where(Counselor.key == "zhang-wei").values(phone=DUTY_MOBILE))
    first = incoming(webhook, settings, "CA" + "1" * 32, CITY)
    second = incoming(webhook, settings, "CA" + "2" * 32, CITY)
    assert first == [DUTY_MOBILE]
    assert second == [PHONES["li-na"]]


ONE_PHONE_TWO_LINES = """\
hotlines:
  - {key: city, name: 慈溪市心理援助热线, number: "+8657463898070", timezone: Asia/Shanghai,
     fallback_number: "+8657487112345"}
  - {key: school, name: Sunshine School Line, number: "+8657463898071", timezone: Asia/Shanghai,
     fallback_number: "+8657487112345"}
counselors:
  - {key: wang-li, name: 王丽, phone: "DUTY"}
  - {key: zhang-wei, name: 张伟, phone: "DUTY"}
rota:
  - {hotline: city, tier: 1, weekly: ALL_DAY, counselors: [wang-li]}
  - {hotline: school, tier: 1, weekly: ALL_DAY, counselors: [zhang-wei]}
""".replace("ALL_DAY", ALL_DAY).replace("DUTY", DUTY_MOBILE)
ROUNDS = 10


@pytest.fixture(params=ENGINES)
def shared_engine(
    request: pytest.FixtureRequest, fresh_databases: FreshDatabases
) -> Iterator[Engine]:
    engine = fresh_databases.engine(request.param)
    with Database(engine).write() as session:
        import_configuration(session, ONE_PHONE_TWO_LINES, datetime(2026, 1, 1, tzinfo=UTC))
    yield engine
    engine.dispose()


def _one_call_to_each_line_at_once(app: Flask, settings: Settings, round_: int) -> list[list[str]]:
    """What each of the two calls, released together, dialed first."""
    numbers: list[list[str]] = []
    barrier = threading.Barrier(2)

    def call(line: str, index: int) -> None:
        client = WebhookClient(WsgiTransport(app), settings.twilio_auth_token)
        barrier.wait()
        numbers.append(incoming(client, settings, f"CA{round_:016d}{index:016d}", line))

    threads = [
        threading.Thread(target=call, args=(line, i)) for i, line in enumerate((CITY, SCHOOL))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return numbers


def test_two_calls_at_once_to_two_lines_ring_the_shared_phone_once(
    shared_engine: Engine, settings: Settings
) -> None:
    """Each line claims a different counselor: only the phone they share can keep them apart
    (on PostgreSQL, two claims in two transactions, each blind to the other's uncommitted one)."""
    database = Database(shared_engine)
    app = create_app(settings, database)
    for round_ in range(ROUNDS):
        with database.write() as session:
            session.execute(update(Counselor).values(busy_call_sid=None, busy_until=None))
        numbers = _one_call_to_each_line_at_once(app, settings, round_)
        assert sorted(numbers) == sorted([[CITY_FALLBACK], [DUTY_MOBILE]])
    assert runtime(app).counters.routing_errors == 0
