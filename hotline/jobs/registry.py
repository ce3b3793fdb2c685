"""Every job: its function, when it runs, and how late a run may still start (its grace).

A run later than its grace is not run late: it is recorded as missed and reported to the
operators, and the next occurrence does its work (every job catches up on what is due).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hotline.jobs.alerts import risk_escalation
from hotline.jobs.coverage_gaps import coverage_gaps
from hotline.jobs.daily_summary import daily_summary
from hotline.jobs.env import JobEnv
from hotline.jobs.outbox_send import outbox_send
from hotline.jobs.outcome_reminders import outcome_reminders
from hotline.jobs.referrals_overdue import referrals_overdue
from hotline.jobs.retention import retention_purge
from hotline.jobs.schedule import DailyAt, Every, Schedule
from hotline.jobs.shift_confirmations import shift_confirmations
from hotline.jobs.shift_reminders import shift_reminders
from hotline.jobs.spool import spool_load
from hotline.jobs.stats_rollup import stats_rollup
from hotline.jobs.sweeper import lease_sweeper

JobFunction = Callable[[JobEnv, datetime], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    run: JobFunction
    schedule: Schedule
    grace: timedelta
    # A run still marked running after this long died with its process.
    longest: timedelta = timedelta(hours=1)


def _jobs() -> dict[str, Job]:
    found = [
        Job("outbox-send", outbox_send, Every(10), timedelta(minutes=1)),
        Job("risk-escalation", risk_escalation, Every(60), timedelta(minutes=5)),
        Job("lease-sweeper", lease_sweeper, Every(300), timedelta(minutes=10)),
        # Each of these catches up at its next run: a grace of about one interval.
        Job("shift-reminders", shift_reminders, Every(300), timedelta(minutes=10)),
        Job("shift-confirmations", shift_confirmations, Every(60), timedelta(minutes=5)),
        Job("coverage-gaps", coverage_gaps, Every(600), timedelta(minutes=10)),
        Job("daily-summary", daily_summary, Every(3600), timedelta(minutes=30)),
        Job("outcome-reminders", outcome_reminders, Every(900), timedelta(minutes=15)),
        Job("referrals-overdue", referrals_overdue, Every(600), timedelta(minutes=10)),
        Job("spool-load", spool_load, Every(60), timedelta(minutes=5)),
        # Roll-ups of settled days for the statistics; the first run counts every day.
        Job("stats-rollup", stats_rollup, Every(600), timedelta(minutes=10)),
        # 03:30 in Shanghai: the quietest hour of the seed's line.
        Job("retention-purge", retention_purge, DailyAt(19, 30), timedelta(hours=6)),
    ]
    return {job.name: job for job in found}


JOBS: dict[str, Job] = _jobs()
