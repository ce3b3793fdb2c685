"""The scheduler process in one Python process: how APScheduler is set up, what a firing runs,
the heartbeat, the catch-up, and the leader's loop."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from hotline.jobs import heartbeat, ledger
from hotline.jobs.env import JobEnv
from hotline.jobs.registry import JOBS
from hotline.jobs.runner import run_job
from hotline.jobs.schedule import DailyAt, Every, Schedule, next_occurrence
from hotline.models import JobRun
from hotline.scheduler.leadership import FileLeadership
from hotline.scheduler.process import (
    CATCH_UP,
    CATCH_UP_EVERY,
    EXIT_LEADERSHIP_LOST,
    EXIT_REFUSED,
    EXIT_STOPPED,
    HEARTBEAT,
    Scheduler,
    run_scheduler,
    trigger_for,
)
from tests.hotline.scheduler.processes import wait_until

AT = datetime(2026, 5, 10, 21, 0, tzinfo=UTC)


def test_every_job_is_scheduled_by_its_name_coalesced_one_at_a_time_within_its_grace(
    env: JobEnv,
) -> None:
    scheduler = Scheduler(env)
    scheduler.apscheduler.start(paused=True)  # the jobs as added, nothing run
    try:
        for job in JOBS.values():
            planned = scheduler.apscheduler.get_job(job.name)
            assert planned is not None, job.name
            assert (planned.id, planned.args) == (job.name, (job.name,))
            assert (planned.coalesce, planned.max_instances) == (True, 1)
            assert planned.misfire_grace_time == int(job.grace.total_seconds())
            assert planned.trigger.timezone.utcoffset(None) == timedelta(0)
        beats, checks = (scheduler.apscheduler.get_job(i) for i in (HEARTBEAT, CATCH_UP))
        assert beats is not None
        assert checks is not None
        assert (beats.trigger.interval, checks.trigger.interval) == (
            heartbeat.BEAT_EVERY,
            CATCH_UP_EVERY,
        )
    finally:
        scheduler.apscheduler.shutdown(wait=False)


@pytest.mark.parametrize(
    "schedule",
    [Every(10), Every(60), Every(7), Every(86_400), DailyAt(19, 30), DailyAt(0, 0)],
    ids=["every-10s", "every-minute", "every-7s", "every-day", "daily-19:30", "midnight"],
)
def test_the_trigger_fires_exactly_at_the_occurrences_of_the_schedule(schedule: Schedule) -> None:
    trigger = trigger_for(schedule)
    for at in (AT, AT + timedelta(seconds=3.5), datetime(2027, 3, 28, 1, 59, 59, tzinfo=UTC)):
        fired = trigger.get_next_fire_time(None, at)
        assert fired == _first_at_or_after(schedule, at)
        for _ in range(5):  # and from each firing to the next
            following = trigger.get_next_fire_time(fired, fired)
            assert following == next_occurrence(schedule, fired)
            fired = following


def _first_at_or_after(schedule: Schedule, at: datetime) -> datetime:
    """APScheduler's first fire time from `at` on: `at` itself when it is an occurrence."""
    return at if schedule.latest(at) == at else next_occurrence(schedule, at)


def test_the_registry_jobs_fire_at_their_own_schedules_occurrences() -> None:
    for job in JOBS.values():
        first = trigger_for(job.schedule).get_next_fire_time(None, AT)
        assert first == _first_at_or_after(job.schedule, AT), job.name


def test_a_firing_runs_the_latest_occurrence_once_however_often_it_comes(env: JobEnv) -> None:
    job = JOBS["retention-purge"]
    scheduler = Scheduler(env, read_clock=lambda: AT)
    scheduler.fire(job.name)
    scheduler.fire(job.name)
    with env.database.read() as db:
        runs = db.execute(
            select(JobRun.scheduled_for, JobRun.now, JobRun.outcome).where(JobRun.job == job.name)
        )
        assert [tuple(run) for run in runs] == [
            (job.schedule.latest(AT), job.schedule.latest(AT), ledger.OK)
        ]


def test_the_heartbeat_names_this_process_and_falls_silent_after_three_minutes(
    env: JobEnv,
) -> None:
    scheduler = Scheduler(env, read_clock=lambda: AT)
    scheduler.beat()
    with env.database.read() as db:
        row = heartbeat.last_beat(db)
        assert row is not None
        assert (row.runner, row.beat_at) == (ledger.runner_name(), AT)
        assert heartbeat.silence(db, AT + timedelta(minutes=2)) is None
        assert heartbeat.silence(db, AT + timedelta(minutes=4)) == heartbeat.Silence(AT)


def test_the_catch_up_queues_what_is_owed_and_marks_runs_that_died_as_interrupted(
    env: JobEnv,
) -> None:
    long_ago = datetime(2026, 5, 1, 19, 30, tzinfo=UTC)
    run_job(env, "retention-purge", long_ago, scheduled_for=long_ago)
    with env.database.write() as db:  # a run by hand whose process died two hours ago
        dead = ledger.start_run(db, "lease-sweeper", AT, None, AT - timedelta(hours=2))
    scheduler = Scheduler(env, read_clock=lambda: AT)
    scheduler.catch_up()
    queued = scheduler.apscheduler.get_job("retention-purge:catch-up")
    assert queued is not None
    assert queued.args == ("retention-purge", datetime(2026, 5, 10, 19, 30, tzinfo=UTC))
    with env.database.read() as db:
        assert db.scalar(select(JobRun.outcome).where(JobRun.id == dead)) == ledger.INTERRUPTED


def test_a_job_that_hangs_holds_up_no_other_job_and_a_stop_says_it_is_still_running(
    threaded_env: JobEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = list(JOBS)
    hanging, others = names[0], set(names[1:])
    started, release, ran, lock = threading.Event(), threading.Event(), set(), threading.Lock()

    def hangs(env: JobEnv, now: datetime) -> dict[str, Any]:
        started.set()
        release.wait(30)
        return {}

    def recorded(name: str) -> Any:
        def run(env: JobEnv, now: datetime) -> dict[str, Any]:
            with lock:
                ran.add(name)
            return {}

        return run

    monkeypatch.setitem(JOBS, hanging, replace(JOBS[hanging], run=hangs))
    for name in others:
        monkeypatch.setitem(JOBS, name, replace(JOBS[name], run=recorded(name)))
    scheduler = Scheduler(threaded_env)
    scheduler.start()
    try:
        scheduler.apscheduler.modify_job(hanging, next_run_time=datetime.now(UTC))
        wait_until(started.is_set, 10, f"{hanging} hangs")
        for name in others:
            scheduler.apscheduler.modify_job(name, next_run_time=datetime.now(UTC))
        wait_until(lambda: ran >= others, 10, "the other jobs ran")
        assert scheduler.stop(0.1) == [hanging]
    finally:
        release.set()
        wait_until(lambda: _outcomes(threaded_env, hanging) == {ledger.OK}, 10, "it ends")


def _outcomes(env: JobEnv, job: str) -> set[str]:
    with env.database.read() as db:
        return set(db.scalars(select(JobRun.outcome).where(JobRun.job == job)))


class FakeLock:
    """Granted at once or never; lost after `lost_after` checks; when never granted, it sets
    `stop` at the third try."""

    standby = True

    def __init__(self, stop: threading.Event, *, granted: bool, lost_after: int = 10**6) -> None:
        self.stop, self.granted, self.lost_after = stop, granted, lost_after
        self.tries = self.checks = 0
        self.released = False

    def try_acquire(self) -> bool:
        self.tries += 1
        if not self.granted and self.tries == 3:
            self.stop.set()
        return self.granted

    def holder(self) -> str:
        return "host:1"

    def still_held(self) -> bool:
        self.checks += 1
        return self.checks < self.lost_after

    def release(self) -> None:
        self.released = True

    def describe(self) -> str:
        return "a fake lock"


def test_a_leader_that_loses_its_lock_stops_at_once_with_a_non_zero_exit(
    threaded_env: JobEnv,
) -> None:
    stop = threading.Event()
    lock = FakeLock(stop, granted=True, lost_after=2)
    ending = run_scheduler(threaded_env, lock, stop, check_every_s=0.01)
    assert ending.code == EXIT_LEADERSHIP_LOST != 0
    assert (lock.checks, lock.released) == (2, True)


def test_a_standby_keeps_trying_and_leaves_quietly_when_stopped(
    threaded_env: JobEnv, caplog: pytest.LogCaptureFixture
) -> None:
    stop = threading.Event()
    lock = FakeLock(stop, granted=False)
    with caplog.at_level(logging.INFO, logger="hotline.scheduler"):
        ending = run_scheduler(threaded_env, lock, stop, retry_every_s=0.01)
    assert (ending.code, lock.tries) == (EXIT_STOPPED, 3)
    assert [r.getMessage() for r in caplog.records].count(
        "standing by: host:1 leads (a fake lock); trying again every 0 s"
    ) == 1


def test_a_second_scheduler_on_sqlite_is_refused_and_says_who_holds_the_lock(
    threaded_env: JobEnv, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    holder = FileLeadership(tmp_path / "hotline.db.scheduler-lock")
    assert holder.try_acquire()
    try:
        ending = run_scheduler(
            threaded_env, FileLeadership(holder.path), threading.Event(), retry_every_s=0.01
        )
    finally:
        holder.release()
    assert ending.code == EXIT_REFUSED
    assert f"another scheduler ({ledger.runner_name()}) holds the file lock" in caplog.text
