"""Figures for the call records on PostgreSQL: a realistic volume of calls, then the call-log
page, a streamed export and the outcome save, each timed (targets below).

Run from the repository root, against a scratch database it may fill and empty:
    .venv/bin/python bench/records.py --url postgresql+psycopg://postgres@127.0.0.1:5432/bench
    [--calls 1000000] [--keep]     (--keep: reuse the calls already generated there)
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text

from hotline.config.importer import import_configuration
from hotline.db import Database
from hotline.migrate import upgrade
from hotline.models import Call, Counselor, Hotline
from hotline.records.calllog import CallFilters, call_log_page
from hotline.records.export import csv_chunks, export_rows
from hotline.records.outcomes import OutcomeInput, save_outcome
from hotline.records.scope import Viewer
from hotline.records.vocabulary import CALL_TYPES, RISKS, TOPICS

TARGETS = "targets: call-log page < 300 ms, outcome save < 30 ms, export memory flat"
NOW = datetime(2026, 12, 1, tzinfo=UTC)
YEARS = 3
LINES = ["city", "school", "night", "district"]
CONFIG = (
    "hotlines:\n"
    + "".join(
        f'  - {{key: {key}, name: Line {key}, number: "+865746389807{n}", timezone: Asia/Shanghai,'
        f" language: zh-CN, ring_seconds: 20, max_wait_seconds: 90, ring_strategy: sequential,"
        f" overflow: []}}\n"
        for n, key in enumerate(LINES)
    )
    + "counselors:\n"
    + "".join(
        f'  - {{key: c{n:02d}, name: Counselor {n}, phone: "+86139000001{n:02d}"}}\n'
        for n in range(40)
    )
)
COLUMNS = (
    "call_sid, hotline_id, caller, caller_link, arrived_at, answered_at, ended_at, status, "
    "duration_seconds, result, answered_by_id, answered_line_id, rota_version, plan"
)


def generate(database: Database, count: int) -> None:
    """`count` calls over three years, 70 % answered, 60 % of those with an outcome."""
    rng = random.Random(7)
    with database.write() as db:
        import_configuration(db, CONFIG, NOW - timedelta(days=365 * YEARS + 1))
        lines = list(db.scalars(select(Hotline.id)))
        counselors = list(db.scalars(select(Counselor.id)))
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        span = 365 * YEARS * 86400
        with cursor.copy(f"COPY calls ({COLUMNS}) FROM STDIN") as copy:
            for n in range(count):
                copy.write_row(_call_row(rng, n, span, lines, counselors))
        cursor.execute(_OUTCOMES_SQL)
        raw.commit()
    finally:
        raw.close()
    with database.engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def _call_row(
    rng: random.Random, n: int, span: int, lines: list[int], people: list[int]
) -> tuple[object, ...]:
    arrived = NOW - timedelta(seconds=rng.randrange(span))
    answered = rng.random() < 0.7
    wait = rng.randrange(3, 60)
    talk = rng.randrange(30, 3600)
    line = rng.choice(lines)
    caller = f"v1:{rng.randrange(200_000):026d}"
    return (
        f"CA{n:032x}",
        line,
        caller,
        None,
        arrived,
        arrived + timedelta(seconds=wait) if answered else None,
        arrived + timedelta(seconds=wait + talk),
        "completed",
        talk,
        "answered" if answered else rng.choice(["missed", "abandoned", "fallback"]),
        rng.choice(people) if answered else None,
        line if answered else None,
        1,
        "[]",
    )


_OUTCOMES_SQL = f"""
INSERT INTO call_outcomes (call_id, counselor_id, call_type, topics, risk, actions, partner_id,
    caller_type, age_band, note, flagged, recorded_at, updated_at)
SELECT id, answered_by_id,
    (ARRAY{list(CALL_TYPES)})[1 + (id % {len(CALL_TYPES)})],
    json_build_array((ARRAY{list(TOPICS)})[1 + (id % {len(TOPICS)})]),
    (ARRAY{list(RISKS)})[1 + ((id * 7) % 100 / 20)::int % {len(RISKS)}],
    '["support"]'::json, NULL, 'student', '15-17', 'a short note', (id % 97) = 0,
    arrived_at + interval '1 hour', arrived_at + interval '1 hour'
FROM calls WHERE answered_by_id IS NOT NULL AND id % 10 < 6
"""


def timed(action: object, runs: int) -> tuple[float, float]:
    """Median and worst milliseconds of `runs` calls of `action`."""
    took = []
    for _ in range(runs):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        took.append((time.perf_counter() - start) * 1000)
    return statistics.median(took), max(took)


def log_pages(database: Database) -> dict[str, tuple[float, float]]:
    supervisor = Viewer("bench", "supervisor", line_ids=frozenset({1, 2}))
    cases = {
        "last 30 days, page 1": (CallFilters(), 1),
        "line + 90 days, page 20": (
            CallFilters(line="city", start=date(2026, 9, 1), end=date(2026, 11, 30)),
            20,
        ),
        "risk=high over 3 years": (
            CallFilters(risk="high", start=date(2023, 12, 1), end=date(2026, 11, 30)),
            1,
        ),
        "result=missed, 1 year": (
            CallFilters(result="missed", start=date(2025, 12, 1), end=date(2026, 11, 30)),
            1,
        ),
        "counselor c05, 3 years": (
            CallFilters(counselor="c05", start=date(2023, 12, 1), end=date(2026, 11, 30)),
            1,
        ),
    }
    figures = {}
    for name, (filters, page) in cases.items():

        def run(filters: CallFilters = filters, page: int = page) -> None:
            with database.read() as db:
                call_log_page(db, supervisor, filters, page, NOW)

        figures[name] = timed(run, 15)
    return figures


def outcome_saves(database: Database) -> tuple[float, float]:
    with database.read() as db:
        ids = list(db.scalars(select(Call.id).where(Call.answered_by_id.is_not(None)).limit(100)))
    data = OutcomeInput(
        "counseling",
        ("bullying",),
        "moderate",
        ("support",),
        None,
        "student",
        "15-17",
        "回电 13800138000",
    )
    pending = iter(ids)

    def save() -> None:
        with database.write() as db:
            call = db.get(Call, next(pending))
            assert call is not None
            save_outcome(db, call, data, NOW, note_max=4000, public_url="https://x")

    return timed(save, len(ids))


def export_child(url: str, days: int) -> None:
    """Runs in a fresh process: export `days` days of every line, print rows, seconds, peak RSS."""
    database = Database.from_url(url, connect_args={"options": "-c statement_timeout=0"})
    start, rows, size = time.perf_counter(), 0, 0
    filters = CallFilters(start=(NOW - timedelta(days=days)).date(), end=NOW.date())
    with database.read() as db:
        for chunk in csv_chunks(export_rows(db, Viewer("bench", "admin"), filters, NOW)):
            size += len(chunk)
            rows += chunk.count("\n")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "rows": rows - 1,
                "seconds": time.perf_counter() - start,
                "mb": size / 1e6,
                "peak_rss_mb": peak_mb,
            }
        )
    )


def export_figures(url: str, calls: int) -> list[dict[str, float]]:
    per_day = calls / (365 * YEARS)
    found = []
    for rows in (10_000, 100_000):
        days = max(1, round(rows / per_day))
        child = subprocess.run(
            [sys.executable, __file__, "--url", url, "--export-days", str(days)],
            capture_output=True,
            text=True,
            check=True,
        )
        found.append(json.loads(child.stdout))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="a scratch PostgreSQL database")
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--export-days", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_days:
        export_child(args.url, args.export_days)
        return
    database = Database.from_url(args.url, connect_args={"options": "-c statement_timeout=0"})
    if not args.keep:
        with database.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(database.engine)
        start = time.perf_counter()
        generate(database, args.calls)
        print(f"generated {args.calls:,} calls in {time.perf_counter() - start:.0f} s")
    with database.read() as db:
        print(f"calls: {db.scalar(select(func.count(Call.id))):,}")
    print(TARGETS)
    for name, (median, worst) in log_pages(database).items():
        print(f"call-log page  {name:<28} median {median:7.1f} ms   max {worst:7.1f} ms")
    for found in export_figures(args.url, args.calls):
        print(
            f"export csv     {found['rows']:>7,} rows  {found['seconds']:6.2f} s  "
            f"{found['mb']:6.1f} MB  peak RSS {found['peak_rss_mb']:.0f} MB"
        )
    median, worst = outcome_saves(database)
    print(f"outcome save   (scrub, flag, alerts)  median {median:.1f} ms   max {worst:.1f} ms")


if __name__ == "__main__":
    main()
