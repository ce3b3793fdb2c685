"""What the ledger says the scheduler owes: occurrences still within their grace are run once
(the latest of them: missed runs coalesce), older ones are recorded as missed and reported.

A job the ledger has never seen owes nothing: a new installation does not report the past.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from hotline.jobs import ledger
from hotline.jobs.env import JobEnv
from hotline.jobs.registry import JOBS, Job
from hotline.jobs.schedule import occurrences_between
from hotline.outbound.reports import report_to_operators


@dataclass(frozen=True, slots=True)
class Owed:
    job: str
    occurrence: datetime


def owed_runs(env: JobEnv, now: datetime, *, jobs: dict[str, Job] | None = None) -> list[Owed]:
    """Record and report what was missed beyond grace; return what is still to run now.

    `now` excludes the occurrence at `now` itself only when the scheduler is about to fire it:
    callers pass the instant they check at, and the ledger's unique occurrence makes a race
    between this catch-up and the scheduler's own firing harmless.
    """
    owed: list[Owed] = []
    for job in (jobs or JOBS).values():
        with env.database.write() as db:
            last = ledger.last_occurrence(db, job.name)
            if last is None:
                continue
            due = occurrences_between(job.schedule, last, now)
            late = [at for at in due if at + job.grace < now]
            if late and ledger.record_missed(db, job.name, late, now):
                report_to_operators(
                    db,
                    f"job-missed:{job.name}:{late[-1].isoformat()}",
                    "job-missed",
                    now,
                    public_url=env.settings.public_url,
                    job=job.name,
                    count=len(late),
                    first=f"{late[0]:%Y-%m-%d %H:%M} UTC",
                    last=f"{late[-1]:%Y-%m-%d %H:%M} UTC",
                )
        in_grace = [at for at in due if at + job.grace >= now]
        if in_grace:
            owed.append(Owed(job.name, in_grace[-1]))
    return owed
