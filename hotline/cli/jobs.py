"""`hotline jobs run NAME [--now ISO]`: run one job once, as if at `--now`."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from typing import Any

import click

from hotline.cli.context import database, fail, parse_moment_option, settings, write
from hotline.clock import now as clock_now
from hotline.db import Database
from hotline.records import audit
from hotline.records.policy import records_policy
from hotline.records.retention import purge_batch
from settings import Settings

Job = Callable[[Database, Settings, datetime], dict[str, Any]]


def retention_purge(database: Database, current: Settings, now: datetime) -> dict[str, Any]:
    """Batches until nothing is left to delete; each batch is its own transaction."""
    policy = records_policy(current)
    total: Counter[str] = Counter()
    while True:
        with database.write() as db:
            counts = purge_batch(db, policy, now)
        total.update(counts)
        if not any(counts.values()):
            break
    with database.write() as db:
        audit.record(
            db, now, "retention.purge", actor="job", source="retention-purge", detail=dict(total)
        )
    return {"job": "retention-purge", "now": now.isoformat(), "deleted": dict(total)}


JOBS: dict[str, Job] = {"retention-purge": retention_purge}


@click.group("jobs")
def jobs() -> None:
    """Scheduled jobs, run by hand (operators, cron, tests)."""


@jobs.command("run")
@click.argument("name")
@click.option("--now", "now_text", help="ISO-8601 instant with an offset; default: now.")
def jobs_run(name: str, now_text: str | None) -> None:
    """Run the job NAME once."""
    job = JOBS.get(name)
    if job is None:
        fail(f"unknown job {name!r}; one of: {', '.join(sorted(JOBS))}")
    at = clock_now()
    if now_text is not None:
        at = parse_moment_option(now_text, "--now")
        if at.tzinfo is None:
            fail("--now: give an offset (Z or +08:00): a job runs at an instant")
    write(json.dumps(job(database(), settings(), at), indent=2))
