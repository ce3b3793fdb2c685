"""The outbox's speed: 1,000 queued messages sent through a local fake provider, and a run with
nothing due while the table holds 100,000 sent messages.

    .venv/bin/python bench/outbox.py [--pg-url URL]

Targets (issue 8): 1,000 messages in under 10 s; an idle run under 50 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, make_url, text

from hotline.db import Database
from hotline.migrate import upgrade
from hotline.models import OutboxMessage
from hotline.outbound.port import Accepted, Outbound, Sms
from hotline.outbound.sending import Sender, send_due

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


class LocalProvider:
    """Accepts every text at once, as a provider on the same machine would."""

    def __init__(self) -> None:
        self.count = 0

    def send_sms(self, message: Sms) -> Accepted:
        self.count += 1
        return Accepted(f"SM{self.count:032d}", "queued")


def rows(n: int, state: str, start: int, at: datetime) -> list[dict[str, object]]:
    return [
        {
            "key": f"bench:{start + i}",
            "kind": "risk-alert",
            "channel": "sms",
            "urgent": i % 10 == 0,
            "address": f"+86139{(start + i) % 100000:08d}",
            "subject": "s",
            "body": "【热线】高风险来电，请尽快查看并确认。",
            "state": state,
            "attempts": 1 if state == "sent" else 0,
            "created_at": at,
            "due_at": at,
            "sent_at": at if state == "sent" else None,
        }
        for i in range(n)
    ]


def measure(database: Database, label: str) -> None:
    with database.write() as db:
        db.execute(insert(OutboxMessage), rows(1000, "pending", 0, NOW))
    provider = LocalProvider()
    sender = Sender(database, Outbound(provider, None), "https://hotline.example.org", 20)
    started = time.perf_counter()
    done = send_due(sender, NOW)
    elapsed = time.perf_counter() - started
    print(f"{label}: 1,000 messages sent in {elapsed:.2f} s ({done})")
    for offset in range(0, 100_000, 10_000):
        with database.write() as db:
            db.execute(insert(OutboxMessage), rows(10_000, "sent", 10_000 + offset, NOW))
    later = NOW + timedelta(minutes=1)
    runs = []
    for _ in range(30):
        started = time.perf_counter()
        send_due(sender, later)
        runs.append((time.perf_counter() - started) * 1000)
    print(
        f"{label}: idle run with 101,000 sent rows: median {statistics.median(runs):.2f} ms, "
        f"max {max(runs):.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg-url", help="also on a fresh database of this PostgreSQL server")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = Database.from_url(f"sqlite:///{Path(folder) / 'bench.db'}")
        upgrade(database.engine)
        measure(database, "sqlite")
        database.dispose()
    if args.pg_url:
        name = f"hotline_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(args.pg_url).set(database=name).render_as_string(hide_password=False)
            database = Database.from_url(url)
            upgrade(database.engine)
            measure(database, "postgresql")
            database.dispose()
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
