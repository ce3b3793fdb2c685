"""Figures for follow-up care: the free places of a line over the next 3 months among 5,000
sessions, and one booking (its own write transaction, reminder sealed in), each timed.

Run from the repository root (SQLite in a scratch folder by default):
    .venv/bin/python bench/care.py [--url postgresql+psycopg://postgres@127.0.0.1:5432/bench]
    [--sessions 5000] [--runs 200]
Prints JSON figures with the load average; targets: free places < 50 ms, booking < 30 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, insert, select, text

from hotline.care.booking import BookingInput, book
from hotline.care.calendar import HORIZON, free_sessions
from hotline.config.importer import import_configuration
from hotline.db import Database
from hotline.migrate import upgrade
from hotline.models import Call, CareSession, Counselor, Hotline
from hotline.secrets_at_rest import DataKeys
from settings import DataKey

TARGETS = "targets: free places over 3 months < 50 ms, booking < 30 ms"
NOW = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)
CONFIG = """\
hotlines:
  - {key: city, name: City line, number: "+8657463898070", timezone: Asia/Shanghai}
  - {key: other, name: Other line, number: "+8657463898071", timezone: Asia/Shanghai}
counselors:
  - {key: wang-li, name: Wang Li, phone: "+8613900000001"}
"""
KEYS = DataKeys(DataKey(1, bytes(range(32))))


def prepare(database: Database, sessions: int, calls: int) -> tuple[int, list[int]]:
    """`sessions` on the city line spread over 3 months (a tenth of them full), as many on
    another line, and `calls` answered on the city line to book from."""
    with database.write() as db:
        if db.scalar(select(Hotline.id)) is None:
            import_configuration(db, CONFIG, NOW - timedelta(days=1))
        db.execute(text("DELETE FROM care_bookings"))
        db.execute(delete(CareSession))
        lines = {key: line_id for key, line_id in db.execute(select(Hotline.key, Hotline.id))}
        step = HORIZON / sessions
        rows = [
            {
                "hotline_id": line_id,
                "place": f"Room {n % 12}",
                "provider": "Dr Zhang",
                "start": NOW + timedelta(hours=1) + step * n,
                "minutes": 50,
                "capacity": 4,
                "booked": 4 if n % 10 == 0 else n % 3,
                "created_at": NOW,
                "created_by": "bench",
            }
            for line_id in lines.values()
            for n in range(sessions)
        ]
        db.execute(insert(CareSession), rows)
        counselor = db.scalar(select(Counselor.id))
        made = [
            Call(
                call_sid=f"CA{time.time_ns():020d}{n:012d}",
                hotline_id=lines["city"],
                caller="v1:AAAAAAAAAAAAAAAAAAAAAAAAAA",
                arrived_at=NOW - timedelta(minutes=9),
                status="completed",
                result="answered",
                answered_by_id=counselor,
                answered_line_id=lines["city"],
                rota_version=1,
                plan=[],
            )
            for n in range(calls)
        ]
        db.add_all(made)
        db.flush()
        return lines["city"], [call.id for call in made]


def timed(work: object, runs: int) -> dict[str, float]:
    took = []
    for _ in range(runs):
        started = time.perf_counter()
        work()  # type: ignore[operator]
        took.append((time.perf_counter() - started) * 1000)
    took.sort()
    return {
        "median_ms": round(statistics.median(took), 2),
        "p95_ms": round(took[int(len(took) * 0.95) - 1], 2),
        "max_ms": round(took[-1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=None)
    parser.add_argument("--sessions", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=200)
    options = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="care-bench-")
    url = options.url or f"sqlite:///{scratch}/care.db"
    database = Database.from_url(url)
    upgrade(database.engine)
    line_id, calls = prepare(database, options.sessions, options.runs)
    with database.read() as db:
        free = len(free_sessions(db, [line_id], NOW))

    def find() -> None:
        with database.read() as db:
            free_sessions(db, [line_id], NOW)

    waiting = iter(calls)
    with database.read() as db:  # one free place each, chosen before the clock runs
        chosen_sessions = iter(s.id for s in free_sessions(db, [line_id], NOW)[: options.runs])

    def booking() -> None:
        chosen = next(chosen_sessions)
        with database.write() as db:
            call = db.get(Call, next(waiting))
            assert call is not None
            data = BookingInput(chosen, True, "+8613800138000")
            book(db, call, data, NOW, actor="bench", keys=KEYS)

    figures = {
        "engine": database.engine.dialect.name,
        "sessions_on_the_line": options.sessions,
        "free_sessions_found": free,
        "free_places_3_months": timed(find, options.runs),
        "booking_with_reminder": timed(booking, options.runs),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "targets": TARGETS,
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
