"""While no scheduler ran: occurrences beyond their grace are recorded once as missed and
reported to the operators; the one still within its grace is run once, however often asked."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from hotline.db import Database
from hotline.jobs import ledger
from hotline.jobs.catchup import Owed, owed_runs
from hotline.jobs.env import JobEnv
from hotline.jobs.runner import run_job
from hotline.models import JobRun, OutboxMessage
from hotline.outbound.port import Outbound
from settings import Settings

LONG_AGO = datetime(2026, 5, 1, 19, 30, tzinfo=UTC)
NOW = datetime(2026, 5, 10, 21, 0, tzinfo=UTC)  # 90 minutes after the day's 19:30 run
IN_GRACE = datetime(2026, 5, 10, 19, 30, tzinfo=UTC)


def _missed(env: JobEnv) -> list[dict[str, Any]]:
    with env.database.read() as db:
        rows = db.scalars(select(JobRun.detail).where(JobRun.outcome == ledger.MISSED))
        return list(rows)


def _reports(env: JobEnv) -> list[tuple[str, str | None]]:
    with env.database.read() as db:
        rows = db.execute(
            select(OutboxMessage.channel, OutboxMessage.address).where(
                OutboxMessage.kind == "job-missed"
            )
        )
        return [(channel, address) for channel, address in rows]


def test_runs_missed_beyond_grace_are_recorded_and_reported_once_and_the_one_in_grace_runs_once(
    records_db: Database, settings: Settings, world: Any
) -> None:
    world.user("opal", "operator", phone="+8613900000099")
    env = JobEnv(records_db, settings, Outbound(None, None, record=True))
    run_job(env, "retention-purge", LONG_AGO, scheduled_for=LONG_AGO)

    assert owed_runs(env, NOW) == [Owed("retention-purge", IN_GRACE)]
    assert _missed(env) == [
        {"missed": 8, "first": "2026-05-02T19:30:00+00:00", "last": "2026-05-09T19:30:00+00:00"}
    ]
    assert _reports(env) == [("sms", "+8613900000099")]

    assert owed_runs(env, NOW) == [Owed("retention-purge", IN_GRACE)]  # asked again: no more
    assert (len(_missed(env)), len(_reports(env))) == (1, 1)

    first = run_job(env, "retention-purge", IN_GRACE, scheduled_for=IN_GRACE)
    second = run_job(env, "retention-purge", IN_GRACE, scheduled_for=IN_GRACE)
    assert (first.outcome, second.outcome) == ("ok", "skipped")
    assert owed_runs(env, NOW) == []
    with records_db.read() as db:
        assert db.scalar(select(func.count()).select_from(JobRun)) == 3
        assert ledger.missed_count(db, "retention-purge", LONG_AGO) == 8


def test_a_job_the_ledger_has_never_seen_owes_nothing(
    records_db: Database, settings: Settings
) -> None:
    env = JobEnv(records_db, settings, Outbound(None, None, record=True))
    assert owed_runs(env, NOW) == []
    assert _missed(env) == []
