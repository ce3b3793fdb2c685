"""A hotline app wired to the test database, a rota that is the same at every hour, and a
simulated Twilio number pointed at it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from hotline.app import create_app
from hotline.config.importer import import_configuration
from hotline.db import Database
from settings import Settings
from webhooks.simulator import Simulator, WebhookClient, WsgiTransport

CANARY = "+8613800138000"
CITY = "+8657463898070"
SCHOOL = "+8657463898071"
CITY_FALLBACK = "+8657487112345"
PHONES = {
    "wang-li": "+8613900000001",
    "zhang-wei": "+8613900000002",
    "li-na": "+8613900000003",
    "he-fang": "+8613900000011",
    "ma-jun": "+8613900000012",
    "lin-xue": "+8613900000013",
}
# Every day, all day: who is on duty does not depend on when the test runs.
ALL_DAY = '{days: [mon, tue, wed, thu, fri, sat, sun], start: "00:00", end: "00:00"}'
ROUTING_CONFIG = """\
hotlines:
  - {key: city, name: 慈溪市心理援助热线, number: "+8657463898070", timezone: Asia/Shanghai,
     language: zh-CN, ring_seconds: 20, max_wait_seconds: 300, ring_strategy: sequential,
     overflow: [], fallback_number: "+8657487112345"}
  - {key: school, name: Sunshine School Line, number: "+8657463898071", timezone: Asia/Shanghai,
     language: en, ring_seconds: 20, max_wait_seconds: 300, ring_strategy: simultaneous,
     overflow: [city]}
counselors:
  - {key: wang-li, name: 王丽, phone: "+8613900000001"}
  - {key: zhang-wei, name: 张伟, phone: "+8613900000002"}
  - {key: li-na, name: 李娜, phone: "+8613900000003"}
  - {key: he-fang, name: 何芳, phone: "+8613900000011"}
  - {key: ma-jun, name: 马骏, phone: "+8613900000012"}
  - {key: lin-xue, name: 林雪, phone: "+8613900000013"}
rota:
  - {hotline: city, tier: 1, weekly: ALL_DAY, counselors: [wang-li, zhang-wei]}
  - {hotline: city, tier: 2, weekly: ALL_DAY, counselors: [li-na]}
  - {hotline: school, tier: 1, weekly: ALL_DAY, counselors: [he-fang, ma-jun, lin-xue]}
""".replace("ALL_DAY", ALL_DAY)
SAVED_AT = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def app(settings: Settings, database: Database, session: Session, tmp_path: Path) -> Flask:
    with database.write() as writing:
        import_configuration(writing, ROUTING_CONFIG, SAVED_AT)
    return create_app(settings, database, spool_dir=tmp_path / "spool")


@pytest.fixture
def twilio(app: Flask, settings: Settings) -> Simulator:
    return Simulator.for_base_url(
        WsgiTransport(app), settings.twilio_auth_token, settings.public_url
    )


@pytest.fixture
def webhook(app: Flask, settings: Settings) -> WebhookClient:
    return WebhookClient(WsgiTransport(app), settings.twilio_auth_token)
