"""Figures for the statistics on PostgreSQL: a million calls over three years (bench/records.py
makes them), attempts beside them, then the statistics of one line for one year and of all
lines for three years, each timed (targets below).

Run from the repository root, against a scratch database it may fill and empty:
    .venv/bin/python bench/stats_figures.py --url postgresql+psycopg://postgres@127.0.0.1:5432/bench
    [--calls 1000000] [--keep]     (--keep: reuse the calls already generated there)
    [--raw]                        (--raw: without the roll-ups, every figure from the raw rows)
The `stats-rollup` job runs first (its time printed: all the days on a new database, then only
what changed), as the scheduler runs it every ten minutes.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any, cast

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text

from bench.records import NOW, generate, timed
from hotline.db import Database
from hotline.jobs.env import JobEnv
from hotline.jobs.stats_rollup import forget_rollups, stats_rollup
from hotline.migrate import upgrade
from hotline.models import Call
from hotline.records.report import Period, report, year_figures
from hotline.records.report_render import as_pdf, words
from hotline.records.statistics import statistics
from hotline.records.statistics_question import Question

TARGETS = (
    "targets: one line, one year < 500 ms; all lines, three years < 2 s (server time); "
    "yearly PDF < 5 s"
)
# Each call: the counselor who took it (bridged), a colleague who declined or did not answer
# before on one call in three, and the fallback on calls nobody took.
_ATTEMPTS_SQL = """
INSERT INTO call_attempts (call_id, step, round, kind, hotline_id, tier, target, counselor_id,
    rota_version, started_at, ended_at, result)
SELECT id, 0, 0, 'counselor', hotline_id, 1 + (id % 5 = 0)::int, 'c' || (id % 40),
    1 + (id % 40), 1, arrived_at, arrived_at, (ARRAY['declined', 'no-answer'])[1 + id % 2]
FROM calls WHERE id % 3 = 0
UNION ALL
SELECT id, 1, 0, 'counselor', hotline_id, 1, 'taker', answered_by_id, 1, arrived_at,
    answered_at, 'bridged'
FROM calls WHERE answered_by_id IS NOT NULL
UNION ALL
SELECT id, 2, 0, 'fallback', NULL, NULL, 'fallback', NULL, 1, arrived_at, ended_at,
    CASE WHEN result = 'fallback' THEN 'bridged' ELSE 'no-answer' END
FROM calls WHERE result IN ('fallback', 'missed')
"""


def add_attempts(database: Database) -> None:
    with database.engine.begin() as conn:
        conn.execute(text(_ATTEMPTS_SQL))
        conn.execute(text("ANALYZE"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--raw", action="store_true")
    args = parser.parse_args()
    # A million rows outlast the service's statement timeout: this is a scratch database.
    database = Database.from_url(args.url, connect_args={"options": "-c statement_timeout=0"})
    if not args.keep:
        with database.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade(database.engine)
        generate(database, args.calls)
        add_attempts(database)
    with database.read() as db:
        calls = db.scalar(select(func.count()).select_from(Call))
    print(f"{calls} calls over 3 years; {TARGETS}")
    job = JobEnv(database, cast(Any, None), cast(Any, None))
    if args.raw:
        with database.write() as db:
            forget_rollups(db)
    else:
        started = time.perf_counter()
        ran = stats_rollup(job, NOW)
        print(f"stats-rollup job: {ran}, {time.perf_counter() - started:.1f} s")
    cases = {
        "one line, one year": Question(("city",), date(2025, 12, 1), date(2026, 11, 30)),
        "all lines, three years": Question(
            ("city", "school", "night", "district"), date(2023, 12, 1), date(2026, 11, 30)
        ),
    }
    for name, question in cases.items():

        def run(question: Question = question) -> None:
            with database.read() as db:
                statistics(db, question, NOW)

        median, worst = timed(run, args.runs)
        print(f"{name}: median {median:.0f} ms, worst {worst:.0f} ms")

    def pdf() -> None:
        with database.read() as db:
            found = report(year_figures(db, 2025, NOW, 10), "city", Period(2025))
        as_pdf(found, words("zh-CN"), "city", NOW.date())

    median, worst = timed(pdf, args.runs)
    print(f"yearly PDF (one line; counts every line): median {median:.0f} ms, worst {worst:.0f} ms")
    database.dispose()


if __name__ == "__main__":
    main()
