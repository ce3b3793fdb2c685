"""On-duty from a cold database read: the versions of a large line stored as rota versions,
read and resolved by `hotline.duty.duty_at` in a new transaction each time (as the CLI does).

    .venv/bin/python bench/rota_db.py [--pg-url URL]

The same line as bench/rota.py (300 counselors, 40 patterns, 500 overrides and 300 leaves a
year, 4 versions), on SQLite and PostgreSQL. Target: under 5 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, make_url, text

from bench.rota import COUNSELORS, SPANS, build_versions
from hotline.db import Database
from hotline.duty import duty_at
from hotline.migrate import upgrade
from hotline.models import Counselor, Hotline, RotaVersion
from hotline.rota_versions import content_hash
from rota.snapshot import to_document


def fill(database: Database, days: int) -> list[object]:
    rng = random.Random(days)
    versions, start, end = build_versions(rng, days)
    with database.write() as session:
        line = Hotline(
            key="big",
            name="big",
            number="+441234567890",
            timezone="Europe/London",
            language="en",
            ring_seconds=20,
            max_wait_seconds=90,
            ring_strategy="sequential",
            overflow=[],
            position=0,
        )
        session.add(line)
        session.add_all(
            Counselor(
                key=k, name=k, phone=f"+447700{n:06d}", qualifications=[], languages=[], position=n
            )
            for n, k in enumerate(COUNSELORS)
        )
        session.flush()
        for version in versions:
            document = to_document(version.rota)
            session.add(
                RotaVersion(
                    hotline_id=line.id,
                    number=version.number,
                    saved_at=version.saved_at,
                    content_hash=content_hash(document),
                    document=document,
                )
            )
    seconds = int((end - start).total_seconds())
    return [start + timedelta(seconds=rng.randrange(seconds)) for _ in range(40)]


def measure(database: Database, instants: list[object]) -> tuple[float, float]:
    timings = []
    for at in instants:
        began = time.perf_counter()
        with database.read() as session:
            duty_at(session, "big", at)  # type: ignore[arg-type]
        timings.append((time.perf_counter() - began) * 1e3)
    return statistics.median(timings), max(timings)


def engines(pg_url: str) -> list[tuple[str, str, str | None]]:
    work = Path(tempfile.mkdtemp(prefix="hotline-rota-db-"))
    made: list[tuple[str, str, str | None]] = []
    for span in SPANS:
        made.append((span, f"sqlite:///{work / (uuid.uuid4().hex + '.db')}", None))
    if pg_url:
        admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
        for span in SPANS:
            name = f"hotline_bench_{uuid.uuid4().hex[:8]}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
            made.append((span, url, name))
        admin.dispose()
    return made


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    print("duty_at from a cold database read (new transaction, versions read and resolved)")
    print(f"{'engine':<12}{'rota span':<12}{'p50 ms':>9}{'max ms':>9}")
    for span, url, pg_name in engines(args.pg_url):
        database = Database.from_url(url)
        upgrade(database.engine)
        instants = fill(database, SPANS[span])
        p50, worst = measure(database, instants)
        print(f"{database.engine.dialect.name:<12}{span:<12}{p50:>9.2f}{worst:>9.2f}")
        database.dispose()
        if pg_name:
            admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
            admin.dispose()
    print("target: < 5 ms")


if __name__ == "__main__":
    main()
