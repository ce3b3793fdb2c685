"""The bench line shared by bench/webhooks.py and bench/webhook_cpu.py: its configuration (eight
counselors in two tiers, on duty around the clock), settings, a migrated database, signed
requests as Twilio would send them."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import create_engine, make_url, text, update
from twilio.request_validator import RequestValidator

from hotline.config.importer import import_configuration
from hotline.db import Database
from hotline.migrate import upgrade
from hotline.models import Counselor

TOKEN = "be0c" * 8  # Twilio's form: 32 hex digits
LINE = "+8657463898070"
CALLER = "+8613800138000"
STAFF = [f"+86139000{n:05d}" for n in range(1, 9)]
CONFIG = f"""\
hotlines:
  - {{key: city, name: 慈溪市心理援助热线, number: "{LINE}", timezone: Asia/Shanghai,
     fallback_number: "+8657487112345"}}
counselors:
{chr(10).join(f'  - {{key: c{i}, name: 咨询师{i}, phone: "{p}"}}' for i, p in enumerate(STAFF))}
rota:
  - hotline: city
    tier: 1
    weekly: {{days: [mon, tue, wed, thu, fri, sat, sun], start: "00:00", end: "00:00"}}
    counselors: [c0, c1, c2, c3, c4]
  - hotline: city
    tier: 2
    weekly: {{days: [mon, tue, wed, thu, fri, sat, sun], start: "00:00", end: "00:00"}}
    counselors: [c5, c6, c7]
"""


def environment(url: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "HOTLINE_DATABASE_URL": url,
        "HOTLINE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "HOTLINE_PSEUDONYM_KEY": "v1:" + "ab" * 32,
        "HOTLINE_DATA_KEY": "v1:" + "dc" * 32,
        "HOTLINE_SECRET_KEY": "bench-" + "0" * 40,
        "HOTLINE_FALLBACK_NUMBER": "+8657400000000",
        "HOTLINE_OUTBOUND": "record",  # the bench sends no messages
    }


def prepare_database(
    kind: str, work: Path, pg_url: str, file: str = "bench.db"
) -> tuple[str, str | None]:
    """A migrated database with the bench line; its URL, and the PostgreSQL database's name."""
    name: str | None = None
    if kind == "sqlite":
        url = f"sqlite:///{work / file}"
    else:
        name = f"hotline_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
    database = Database.from_url(url)
    upgrade(database.engine)
    with database.write() as session:
        import_configuration(session, CONFIG, datetime(2026, 1, 1, tzinfo=UTC))
    database.dispose()
    return url, name


def free_counselors(url: str) -> None:
    database = Database.from_url(url)
    with database.write() as session:
        session.execute(update(Counselor).values(busy_call_sid=None, busy_until=None))
    database.dispose()


def signed_requests(path: Path, base: str, count: int) -> None:
    url = base + "/webhooks/voice/incoming"
    validator = RequestValidator(TOKEN)
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            form = {
                "CallSid": f"CA{uuid.uuid4().hex}",
                "AccountSid": "AC" + "0" * 32,
                "From": f"+86138{n:08d}",
                "To": LINE,
                "CallStatus": "ringing",
                "Direction": "inbound",
                "ApiVersion": "2010-04-01",
            }
            out.write(f"{validator.compute_signature(url, form)}\t{urlencode(form)}\n")


def drop_database(pg_url: str, name: str) -> None:
    """Drop a database `prepare_database` made on the PostgreSQL server of `pg_url`."""
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
