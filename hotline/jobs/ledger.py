"""The ledger of job runs: each scheduled occurrence is claimed once, by one runner.

A scheduled run inserts its row first (job, occurrence) under a unique key: a second
scheduler, a restart or a catch-up that reaches the same occurrence finds it taken and does
nothing. Runs by hand have no occurrence and always run (their effects are idempotent).
A missed occurrence gets a row too (outcome `missed`), so it is reported exactly once.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.models import JobRun

RUNNING, OK, FAILED, MISSED, INTERRUPTED = "running", "ok", "failed", "missed", "interrupted"


def runner_name() -> str:
    """Which process ran it: host and pid (no secrets, no addresses of callers)."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}"


def start_run(
    session: Session, job: str, now: datetime, scheduled_for: datetime | None, started_at: datetime
) -> int | None:
    """The new run's id; None when another runner already has this occurrence."""
    run = JobRun(
        job=job,
        scheduled_for=scheduled_for,
        now=now,
        started_at=started_at,
        outcome=RUNNING,
        runner=runner_name(),
        detail={},
    )
    try:
        with session.begin_nested():
            session.add(run)
    except IntegrityError:
        return None
    return run.id


def finish_run(
    session: Session, run_id: int, outcome: str, detail: dict[str, Any], finished_at: datetime
) -> None:
    session.execute(
        update(JobRun)
        .where(JobRun.id == run_id)
        .values(outcome=outcome, detail=detail, finished_at=finished_at)
    )


def record_missed(session: Session, job: str, occurrences: list[datetime], now: datetime) -> bool:
    """One `missed` row for these occurrences (keyed by the last); False when already there."""
    run = JobRun(
        job=job,
        scheduled_for=occurrences[-1],
        now=now,
        started_at=now,
        finished_at=now,
        outcome=MISSED,
        runner=runner_name(),
        detail={
            "missed": len(occurrences),
            "first": occurrences[0].isoformat(),
            "last": occurrences[-1].isoformat(),
        },
    )
    try:
        with session.begin_nested():
            session.add(run)
    except IntegrityError:
        return False
    return True


def last_occurrence(session: Session, job: str) -> datetime | None:
    """The newest occurrence the ledger knows of (run, running or missed)."""
    found: datetime | None = session.scalar(
        select(func.max(JobRun.scheduled_for)).where(JobRun.job == job)
    )
    return found


def last_run(session: Session, job: str) -> JobRun | None:
    """The newest run that actually ran (by hand or scheduled)."""
    return session.scalar(
        select(JobRun)
        .where(JobRun.job == job, JobRun.outcome != MISSED)
        .order_by(JobRun.started_at.desc(), JobRun.id.desc())
        .limit(1)
    )


def missed_count(session: Session, job: str, since: datetime) -> int:
    rows = session.scalars(
        select(JobRun.detail).where(
            JobRun.job == job, JobRun.outcome == MISSED, JobRun.started_at >= since
        )
    )
    return sum(int(detail.get("missed", 1)) for detail in rows)


def recent_runs(session: Session, limit: int = 200, job: str | None = None) -> list[JobRun]:
    query = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
    if job is not None:
        query = query.where(JobRun.job == job)
    return list(session.scalars(query))


def mark_interrupted(
    session: Session, older_than: datetime, now: datetime, *, job: str | None = None
) -> int:
    """Runs (of `job`, or of any job) still `running` since before `older_than` died with
    their process."""
    query = update(JobRun).where(JobRun.outcome == RUNNING, JobRun.started_at < older_than)
    if job is not None:
        query = query.where(JobRun.job == job)
    result = session.execute(query.values(outcome=INTERRUPTED, finished_at=now))
    return int(getattr(result, "rowcount", 0) or 0)
