"""The scheduler process: while it leads, APScheduler fires the registry's jobs in UTC; besides
them it beats, catches up what the ledger says is owed, and marks runs that died as interrupted.

Every firing goes through `run_job` with the occurrence it stands for, so a second scheduler,
a restart or a catch-up reaching the same occurrence runs nothing twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from hotline import clock
from hotline.jobs import heartbeat, ledger
from hotline.jobs.catchup import owed_runs
from hotline.jobs.env import JobEnv
from hotline.jobs.registry import JOBS
from hotline.jobs.runner import run_job
from hotline.jobs.schedule import EPOCH, Every, Schedule
from hotline.scheduler.leadership import Leadership

log = logging.getLogger(__name__)

EXIT_STOPPED, EXIT_REFUSED, EXIT_LEADERSHIP_LOST = 0, 1, 3
HEARTBEAT, CATCH_UP = "scheduler:heartbeat", "scheduler:catch-up"
CATCH_UP_EVERY = timedelta(seconds=60)
CHECK_EVERY_S = 5.0  # how often the leader asks whether it still holds its lock
RETRY_EVERY_S = 2.0  # how often a standby tries to take the lock
STOP_WAIT_S = 20.0  # how long a stop waits for running jobs (systemd waits 90 s by default)


def trigger_for(schedule: Schedule) -> BaseTrigger:
    """The trigger that fires at exactly the instants of `schedule.py`."""
    if isinstance(schedule, Every):
        return IntervalTrigger(seconds=schedule.seconds, start_date=EPOCH, timezone=UTC)
    return CronTrigger(hour=schedule.hour, minute=schedule.minute, timezone=UTC)


class Scheduler:
    """APScheduler configured with every job of the registry, and the scheduler's own work.

    One thread per job at most (`max_instances=1`) in a pool with room for all of them at once,
    so a job stuck on a provider that hangs never holds up another job.
    """

    def __init__(self, env: JobEnv, *, read_clock: Callable[[], datetime] = clock.now) -> None:
        self.env = env
        self.read_clock = read_clock  # tests hand in a fixed instant
        self.runner = ledger.runner_name()
        self.started_at = read_clock()
        self._busy = {name: threading.Lock() for name in JOBS}
        self.apscheduler = BackgroundScheduler(
            jobstores={"default": MemoryJobStore()},  # the ledger in our database is what lasts
            executors={"default": ThreadPoolExecutor(max_workers=2 * len(JOBS) + 4)},
            job_defaults={"coalesce": True, "max_instances": 1},
            timezone=UTC,
        )
        for job in JOBS.values():
            self.apscheduler.add_job(
                self.fire,
                trigger_for(job.schedule),
                args=(job.name,),
                id=job.name,
                name=job.name,
                misfire_grace_time=max(1, int(job.grace.total_seconds())),
                replace_existing=True,
            )
        self._add_own_work()

    def _add_own_work(self) -> None:
        now = self.started_at
        beats = IntervalTrigger(seconds=heartbeat.BEAT_EVERY.seconds, timezone=UTC)
        checks = IntervalTrigger(seconds=CATCH_UP_EVERY.seconds, timezone=UTC)
        for work, trigger, work_id in (
            (self.beat, beats, HEARTBEAT),
            (self.catch_up, checks, CATCH_UP),
        ):
            # At start as well; however late, once (a late beat is still a beat).
            self.apscheduler.add_job(
                work, trigger, id=work_id, name=work_id, next_run_time=now, misfire_grace_time=None
            )

    def start(self) -> None:
        self.apscheduler.start()

    def stop(self, wait_s: float) -> list[str]:
        """Start nothing more; wait up to `wait_s` for running jobs. Returns those still
        running (they die with the process and are marked interrupted later)."""
        self.apscheduler.shutdown(wait=False)
        deadline = time.monotonic() + wait_s
        unfinished = []
        for name, busy in self._busy.items():
            # Kept held: a firing already handed to the pool finds its job busy and returns.
            if not busy.acquire(timeout=max(0.0, deadline - time.monotonic())):
                unfinished.append(name)
        return unfinished

    def fire(self, name: str) -> None:
        """One firing of job `name`: APScheduler does not say which scheduled time it stands
        for, but it fires at or after that time and well within one period, so it is the
        latest occurrence at the moment of firing."""
        self.run_occurrence(name, JOBS[name].schedule.latest(self.read_clock()))

    def run_occurrence(self, name: str, occurrence: datetime) -> None:
        busy = self._busy[name]
        if not busy.acquire(blocking=False):
            log.info("%s is still running; %s is left to the catch-up", name, occurrence)
            return
        try:
            result = run_job(self.env, name, occurrence, scheduled_for=occurrence)
        finally:
            busy.release()
        level = logging.WARNING if result.outcome == ledger.FAILED else logging.DEBUG
        log.log(level, "%s for %s: %s", name, occurrence.isoformat(), result.outcome)

    def beat(self) -> None:
        with self.env.database.write() as db:
            heartbeat.beat(db, self.runner, self.started_at, self.read_clock())

    def catch_up(self) -> None:
        """Mark runs that outlived their job's longest as interrupted, record and report the
        misses, and run what is still within its grace, each in the pool like any firing."""
        now = self.read_clock()
        with self.env.database.write() as db:
            for job in JOBS.values():
                ledger.mark_interrupted(db, now - job.longest, now, job=job.name)
        for owed in owed_runs(self.env, now):
            log.info("catching up %s for %s", owed.job, owed.occurrence.isoformat())
            self.apscheduler.add_job(
                self.run_occurrence,
                args=(owed.job, owed.occurrence),
                id=f"{owed.job}:catch-up",
                name=f"{owed.job}:catch-up",
                misfire_grace_time=None,
                replace_existing=True,
            )


@dataclass(frozen=True, slots=True)
class Ending:
    """How the process ends: its exit code, and jobs it leaves running (the caller must then
    end the process at once rather than wait for their threads)."""

    code: int
    unfinished: tuple[str, ...] = ()


def run_scheduler(
    env: JobEnv,
    leadership: Leadership,
    stop: threading.Event,
    *,
    check_every_s: float = CHECK_EVERY_S,
    retry_every_s: float = RETRY_EVERY_S,
) -> Ending:
    """Lead (after standing by, where the lock allows it) until `stop` is set or the lock is
    lost; a lost lock ends the process non-zero at once, so two schedulers never run."""
    if not await_leadership(leadership, stop, retry_every_s):
        return Ending(EXIT_STOPPED if stop.is_set() else EXIT_REFUSED)
    try:
        scheduler = Scheduler(env)
        scheduler.start()
        log.info("scheduler active as %s (%s)", scheduler.runner, leadership.describe())
        lost = not hold_leadership(leadership, stop, check_every_s)
        unfinished = scheduler.stop(0.0 if lost else STOP_WAIT_S)
    finally:
        leadership.release()
    if unfinished:
        log.warning("stopping with %s still running", ", ".join(unfinished))
    log.info("scheduler stopped%s", " (leadership lost)" if lost else "")
    return Ending(EXIT_LEADERSHIP_LOST if lost else EXIT_STOPPED, tuple(unfinished))


def await_leadership(leadership: Leadership, stop: threading.Event, retry_every_s: float) -> bool:
    """True once this process leads; False when stopped, or refused where nobody may wait."""
    announced = ""
    while not stop.is_set():
        if leadership.try_acquire():
            return True
        holder = leadership.holder()
        if not leadership.standby:
            log.error(
                "not starting: another scheduler (%s) holds the %s; only one scheduler may "
                "run against a SQLite database (on PostgreSQL a second one stands by)",
                holder,
                leadership.describe(),
            )
            return False
        if holder != announced:
            log.info(
                "standing by: %s leads (%s); trying again every %.0f s",
                holder,
                leadership.describe(),
                retry_every_s,
            )
            announced = holder
        stop.wait(retry_every_s)
    return False


def hold_leadership(leadership: Leadership, stop: threading.Event, check_every_s: float) -> bool:
    """Wait for `stop`, checking the lock; False as soon as it is lost."""
    while not stop.wait(check_every_s):
        if not leadership.still_held():
            log.error(
                "lost the %s: stopping at once so that two schedulers never run together",
                leadership.describe(),
            )
            return False
    return True
