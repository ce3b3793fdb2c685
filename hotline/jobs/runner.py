"""Run one job once, as the scheduler or `hotline jobs run` does, and write it in the ledger.

A failing job is recorded as failed with the error's type (never its message: it could carry
data), logged with its traceback for operators, and does not stop the scheduler.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hotline import clock
from hotline.jobs import ledger
from hotline.jobs.env import JobEnv
from hotline.jobs.registry import JOBS

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunResult:
    job: str
    now: datetime
    outcome: str  # ok, failed, or skipped (the occurrence was already taken)
    detail: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {
            "job": self.job,
            "now": self.now.isoformat(),
            "outcome": self.outcome,
            **self.detail,
        }


def run_job(
    env: JobEnv,
    name: str,
    now: datetime,
    *,
    scheduled_for: datetime | None = None,
    wall_clock: Callable[[], datetime] = clock.now,
) -> RunResult:
    """Run job `name` as if at `now`; a scheduled occurrence runs at most once anywhere."""
    job = JOBS[name]
    with env.database.write() as db:
        run_id = ledger.start_run(db, name, now, scheduled_for, wall_clock())
    if run_id is None:
        return RunResult(name, now, "skipped", {"reason": "occurrence already run"})
    try:
        detail = job.run(env, now)
        outcome = ledger.OK
    except Exception as exc:  # a job's failure is recorded and reported, never fatal
        log.exception("job %s failed", name)
        detail, outcome = {"error": type(exc).__name__}, ledger.FAILED
    with env.database.write() as db:
        ledger.finish_run(db, run_id, outcome, detail, wall_clock())
    return RunResult(name, now, outcome, detail)
