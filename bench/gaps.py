"""The `coverage-gaps` job for 50 lines over the coming week, from a database (issue 9).

    .venv/bin/python bench/gaps.py [--pg-url URL]

Each line: 20 counselors, tier 1 of weekly day, evening and night patterns with random holes,
tier 2 a daily rotation, leave and overrides, 24 versions saved over the last four months (two
within the last week), service hours on every other line, and three operators. Prints the first
run (every gap new: messages queued) and the runs after it (everything told already); SQLite
always, PostgreSQL with `--pg-url`. Target: under 500 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time as clock
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, make_url, text
from sqlalchemy.orm import Session

from hotline.db import Database
from hotline.jobs.coverage_gaps import coverage_gaps
from hotline.jobs.env import JobEnv
from hotline.migrate import upgrade
from hotline.models import Counselor, Hotline, RotaVersion, User, UserHotline
from hotline.outbound.port import Outbound
from hotline.rota_versions import content_hash
from rota.model import Leave, LineRota, Override, Pattern, Period, Rotation, Weekly
from rota.snapshot import to_document
from settings import Settings

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LINES, STAFF, VERSIONS, RUNS = 50, 20, 24, 7
ZONES = ("Asia/Shanghai", "Europe/London", "America/New_York", "Australia/Sydney")
OFFICE = [
    {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "07:30", "end": "21:30"},
    {"days": ["sat"], "start": "09:00", "end": "17:00"},
]
Timings = list[tuple[float, float]]  # (wall, CPU) ms of each run
SHIFTS = ((time(8), time(16)), (time(16), time(23)), (time(23), time(8)))
ENV = {
    "HOTLINE_PUBLIC_URL": "https://hotline.example.org",
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_AUTH_TOKEN": "be0c" * 8,
    "HOTLINE_PSEUDONYM_KEY": "v2:" + "ab" * 32,
    "HOTLINE_DATA_KEY": "v1:" + "dc" * 32,
    "HOTLINE_SECRET_KEY": "bench-secret-key-" + "0" * 32,
    "HOTLINE_FALLBACK_NUMBER": "+8657400000000",
    "HOTLINE_OUTBOUND": "record",
}


def line_rota(rng: random.Random, tz: ZoneInfo, staff: list[str]) -> LineRota:
    """Weekly shifts with a day or two left out each; a rotation behind; leave and overrides."""
    patterns = [
        Pattern(1, Weekly(frozenset(rng.sample(range(7), rng.randint(5, 7))), s, e), (a, b))
        for (s, e), (a, b) in zip(SHIFTS, [rng.sample(staff, 2) for _ in SHIFTS], strict=True)
    ]
    start = datetime.combine(date(2026, 1, 1), time(8))
    patterns.append(Pattern(2, Rotation(start, Period(1, "d")), tuple(staff[6:12])))
    leave = [
        Leave(person, moment, moment + timedelta(days=rng.randint(1, 4)))
        for person in rng.sample(staff[:6], 2)
        for moment in [_moment(rng)]
    ]
    overrides = [
        Override(1, moment, moment + timedelta(hours=rng.randint(2, 12)), (rng.choice(staff),))
        for moment in (_moment(rng) for _ in range(6))
    ]
    return LineRota(tz, tuple(patterns), tuple(overrides), tuple(leave))


def _moment(rng: random.Random) -> datetime:
    """A local wall-clock moment within the scanned weeks."""
    day = NOW.date() + timedelta(days=rng.randint(-7, 14))
    return datetime.combine(day, time(rng.randrange(24)))


def fill(session: Session, rng: random.Random) -> None:
    for n in range(LINES):
        tz = ZONES[n % len(ZONES)]
        line = Hotline(
            key=f"line-{n}",
            name=f"Line {n}",
            number=f"+86574638{n:05d}",
            timezone=tz,
            language="zh-CN" if n % 2 else "en",
            ring_seconds=20,
            max_wait_seconds=90,
            ring_strategy="sequential",
            overflow=[],
            position=n,
            service_hours=OFFICE if n % 2 else None,
        )
        session.add(line)
        staff = [f"c-{n}-{k}" for k in range(STAFF)]
        session.add_all(
            Counselor(
                key=key,
                name=key,
                phone=f"+86139{n:03d}{k:05d}",
                qualifications=[],
                languages=[],
                position=n * STAFF + k,
            )
            for k, key in enumerate(staff)
        )
        session.flush()
        _versions(session, rng, line.id, ZoneInfo(tz), staff)
        _operators(session, line.id, n)


def _versions(
    session: Session, rng: random.Random, line_id: int, tz: ZoneInfo, staff: list[str]
) -> None:
    for number in range(1, VERSIONS + 1):
        # Two of them within the last week: the scan reads those and the one before.
        days_back = 120 - 5 * (number - 1) if number <= VERSIONS - 2 else VERSIONS + 1 - number
        document = to_document(line_rota(rng, tz, staff))
        session.add(
            RotaVersion(
                hotline_id=line_id,
                number=number,
                saved_at=NOW - timedelta(days=days_back, hours=rng.randrange(24)),
                content_hash=content_hash(document),
                document=document,
            )
        )


def _operators(session: Session, line_id: int, n: int) -> None:
    for k in range(3):
        user = User(
            username=f"op-{n}-{k}",
            password_hash="-",
            role="operator",
            phone=f"+86137{n:03d}{k:05d}",
            email=f"op-{n}-{k}@example.org" if k == 0 else None,
            active=True,
            session_generation=1,
            created_at=NOW,
        )
        session.add(user)
        session.flush()
        session.add(UserHotline(user_id=user.id, hotline_id=line_id))


def measure(database: Database) -> tuple[dict[str, Any], Timings, dict[str, Any]]:
    """The first run (every gap new), then runs half an hour later with nothing new to tell:
    (wall, this process's CPU) in ms. CPU is the steadier figure on a shared machine."""
    env = JobEnv(database, Settings.from_env(ENV), Outbound(None, None, record=True))
    began = clock.perf_counter()
    first = coverage_gaps(env, NOW - timedelta(minutes=30))
    first["ms"] = round((clock.perf_counter() - began) * 1e3, 1)
    timings: Timings = []
    result: dict[str, Any] = {}
    for _ in range(RUNS):
        began, cpu = clock.perf_counter(), clock.process_time()
        result = coverage_gaps(env, NOW)
        wall, used = clock.perf_counter() - began, clock.process_time() - cpu
        timings.append((wall * 1e3, used * 1e3))
    return first, timings, result


def databases(pg_url: str) -> list[tuple[str, str | None]]:
    work = Path(tempfile.mkdtemp(prefix="hotline-gaps-"))
    made: list[tuple[str, str | None]] = [(f"sqlite:///{work / 'gaps.db'}", None)]
    if pg_url:
        name = f"hotline_bench_{uuid.uuid4().hex[:8]}"
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        made.append((make_url(pg_url).set(database=name).render_as_string(False), name))
    return made


def drop(pg_url: str, name: str) -> None:
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg-url", default="", help="also run on this PostgreSQL server")
    args = parser.parse_args()
    print(f"coverage-gaps: {LINES} lines, 7 days told ({VERSIONS} versions a line)")
    print(f"{'engine':<12}{'first ms':>10}{'then p50':>10}{'max':>8}{'cpu p50':>9}  first, then")
    for url, pg_name in databases(args.pg_url):
        database = Database.from_url(url)
        upgrade(database.engine)
        with database.write() as session:
            fill(session, random.Random(9))
        first, later, result = measure(database)
        name = database.engine.dialect.name
        walls, cpus = [w for w, _ in later], [c for _, c in later]
        print(
            f"{name:<12}{first.pop('ms'):>10.1f}{statistics.median(walls):>10.1f}"
            f"{max(walls):>8.1f}{statistics.median(cpus):>9.1f}  {first}, {result}"
        )
        database.dispose()
        if pg_name:
            drop(args.pg_url, pg_name)
    print("target: < 500 ms")


if __name__ == "__main__":
    main()
