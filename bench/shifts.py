"""Reminders and confirmations for 1,000 counselors on 3 lines over a week, from the stored rota.

    .venv/bin/python bench/shifts.py [--pg-url URL]   (--pg-url "": SQLite only)

Each counselor works 5 eight-hour shifts a week on tier 1 or 2 of one line (London, Sydney,
New York); a tier-3 rotation hands over weekly; half the counselors have an account with an
e-mail. Measured: the week's shifts computed; every reminder of the week queued; every shift of
the week asked to be confirmed (rows and messages); each from a fresh transaction, as a job
runs. Target (issue 9): reminders and confirmations for the week in under 1 s.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, make_url, select, text, update

from hotline.config.importer import import_configuration
from hotline.db import Database
from hotline.jobs.env import JobEnv
from hotline.jobs.shift_confirmations import shift_confirmations
from hotline.jobs.shift_reminders import shift_reminders
from hotline.migrate import upgrade
from hotline.models import Counselor, ShiftConfirmation, User
from hotline.outbound.port import Outbound
from hotline.shifts.asking import ask_confirmations
from hotline.shifts.reminders import queue_reminders
from hotline.shifts.upcoming import upcoming_shifts
from settings import Settings

SAVED = datetime(2026, 11, 1, tzinfo=UTC)
START = datetime(2026, 11, 30, tzinfo=UTC)
WEEK = timedelta(days=7)
URL = "https://hotline.example.org"
LINES = [
    ("london", "Europe/London", "+442079460001"),
    ("sydney", "Australia/Sydney", "+61291234567"),
    ("new-york", "America/New_York", "+12125551234"),
]
HEADER = (
    f"{'engine':<11}{'shifts':>7}{'computed':>10}{'reminders':>11}{'confirmations':>15}{'both':>7}"
)
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
SLOTS = [("00:00", "08:00"), ("08:00", "16:00"), ("16:00", "00:00")]


def configuration(rng: random.Random) -> str:
    out = ["hotlines:"]
    for key, zone, number in LINES:
        out.append(
            f'  - {{key: {key}, name: {key}, number: "{number}", timezone: {zone}, language: en,'
            " ring_seconds: 20, max_wait_seconds: 90, ring_strategy: sequential, overflow: []}"
        )
    out.append("counselors:")
    out += [f'  - {{key: c{n}, name: c{n}, phone: "+86139{n:08d}"}}' for n in range(1000)]
    out.append("rota:")
    for index, (key, _, _) in enumerate(LINES):
        people = list(range(index, 1000, 3))
        slots: dict[tuple[int, int, str], list[str]] = {}
        for n in people[4:]:
            tier, slot = 2 if n % 4 == 3 else 1, n % 3
            for day in rng.sample(DAYS, 5):
                slots.setdefault((tier, slot, day), []).append(f"c{n}")
        for (tier, slot, day), names in sorted(slots.items()):
            start, end = SLOTS[slot]
            out.append(
                f"  - {{hotline: {key}, tier: {tier}, weekly: {{days: [{day}], "
                f'start: "{start}", end: "{end}"}}, counselors: [{", ".join(names)}]}}'
            )
        psychiatrists = ", ".join(f"c{n}" for n in people[:4])
        out.append(
            f'  - {{hotline: {key}, tier: 3, rotation: {{start: "2026-11-02T08:00", every: 7d}},'
            f" counselors: [{psychiatrists}]}}"
        )
    return "\n".join(out) + "\n"


def fill(database: Database) -> None:
    with database.write() as session:
        import_configuration(session, configuration(random.Random(9)), SAVED)
        ids = session.scalars(select(Counselor.id).order_by(Counselor.id)).all()
        accounts = [
            {
                "username": f"u{n}",
                "password_hash": "-",
                "role": "counselor",
                "counselor_id": counselor_id,
                "email": f"u{n}@example.org",
                "active": True,
                "session_generation": 1,
                "created_at": SAVED,
            }
            for n, counselor_id in enumerate(ids)
            if n % 2 == 0
        ]
        session.execute(insert(User), accounts)


def timed(database: Database, work: Callable[[Any], Any]) -> tuple[float, Any]:
    """`work` in one write transaction, in ms; then the planner's statistics are brought up to
    date (untimed), as autovacuum does between job runs minutes apart: without it, PostgreSQL
    plans the next step's key lookups for the empty tables the bench started with."""
    started = time.perf_counter()
    with database.write() as session:
        result = work(session)
    took = (time.perf_counter() - started) * 1e3
    with database.engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return took, result


def measure(database: Database, label: str) -> None:
    fill(database)
    end = START + WEEK
    shifts_ms, shifts = timed(database, lambda s: len(upcoming_shifts(s, START, end)))
    reminders_ms, reminded = timed(database, lambda s: queue_reminders(s, START, end))
    asking_ms, asked = timed(
        database, lambda s: ask_confirmations(s, START, URL, after=START, until=end)
    )
    print(
        f"{label:<11}{shifts:>7}{shifts_ms:>10.0f}{reminders_ms:>11.0f}{asking_ms:>15.0f}"
        f"{reminders_ms + asking_ms:>7.0f}   ({reminded['queued']} reminders, "
        f"{asked['asked']} asked, {asked['queued']} messages)"
    )
    steady_runs(database)


def steady_runs(database: Database) -> None:
    """Each job every 30 minutes through the first day, once nearly every shift is confirmed
    (1 in 50 is not, and is told about): what one scheduled run costs."""
    with database.write() as session:
        session.execute(
            update(ShiftConfirmation)
            .where(ShiftConfirmation.id % 50 != 0)
            .values(confirmed_at=START, confirmed_via="web")
        )
    env = JobEnv(database, Settings.from_env(_ENV), Outbound(None, None, record=True))
    runs = {"shift-reminders": shift_reminders, "shift-confirmations": shift_confirmations}
    for name, job in runs.items():
        took, done = [], Counter[str]()
        for step in range(48):
            started = time.perf_counter()
            done.update(job(env, START + timedelta(minutes=30 * step + 65)))
            took.append((time.perf_counter() - started) * 1e3)
        print(
            f"{'':<11}{name}: median {statistics.median(took):.1f} ms, "
            f"max {max(took):.1f} ms a run ({dict(done)} over the day)"
        )


# Demo mode writes its secrets beside the database named here: a folder of its own, not the
# directory the bench runs from.
_ENV = {
    "HOTLINE_DATABASE_URL": f"sqlite:///{tempfile.mkdtemp(prefix='hotline-shifts-env-')}/unused.db",
    "HOTLINE_PUBLIC_URL": URL,
    "HOTLINE_DEMO": "1",
}


def databases(pg_url: str) -> list[tuple[str, str, str | None]]:
    work = Path(tempfile.mkdtemp(prefix="hotline-shifts-"))
    made: list[tuple[str, str, str | None]] = [("sqlite", f"sqlite:///{work / 'bench.db'}", None)]
    if pg_url:
        name = f"hotline_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
        made.append(("postgresql", url, name))
    return made


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    print("1,000 counselors on 3 lines, one week of shifts (ms)")
    print(HEADER)
    for label, url, pg_name in databases(args.pg_url):
        database = Database.from_url(url)
        upgrade(database.engine)
        measure(database, label)
        database.dispose()
        if pg_name:
            admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
            admin.dispose()
    print("target: reminders and confirmations of the week (both) < 1000 ms")


if __name__ == "__main__":
    main()
