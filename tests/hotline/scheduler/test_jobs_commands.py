"""`hotline jobs run` and `hotline jobs status`, driven as an operator types them."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner, Result

from hotline.cli import cli
from hotline.cli.context import Services
from hotline.db import Database
from hotline.jobs import heartbeat, ledger
from hotline.jobs.env import JobEnv
from hotline.jobs.registry import JOBS
from hotline.jobs.schedule import next_occurrence
from settings import Settings

Run = Any
NOW = "2026-05-10T21:00:00+00:00"
AT = datetime.fromisoformat(NOW)


@pytest.fixture
def run(settings: Settings, database: Database) -> Run:
    recording = replace(settings, outbound="record")  # nothing may leave the machine

    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), obj=Services(recording, database))

    return invoke


def test_status_on_a_new_database_lists_every_job_never_run_and_no_scheduler(run: Run) -> None:
    result = run("jobs", "status", "--json", "--now", NOW)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [job["job"] for job in report["jobs"]] == list(JOBS)
    for job in report["jobs"]:
        assert job["last_run"] is None
        assert job["next_run"] == next_occurrence(JOBS[job["job"]].schedule, AT).isoformat()
        assert job["missed_last_7_days"] == 0
    assert report["scheduler"] == {
        "runner": None,
        "started_at": None,
        "last_beat": None,
        "silent": True,
        "silent_since": None,
    }


def test_status_shows_the_last_run_what_it_did_the_misses_and_the_heartbeat(
    run: Run, env: JobEnv
) -> None:
    long_ago = datetime(2026, 5, 1, 19, 30, tzinfo=UTC)
    with env.database.write() as db:
        ledger.record_missed(db, "retention-purge", [long_ago, long_ago + timedelta(days=1)], AT)
        heartbeat.beat(db, "host:42", AT - timedelta(hours=1), AT - timedelta(minutes=5))
    assert run("jobs", "run", "retention-purge", "--now", NOW).exit_code == 0

    report = json.loads(run("jobs", "status", "--json", "--now", NOW).output)
    purge = next(job for job in report["jobs"] if job["job"] == "retention-purge")
    assert purge["last_run"]["scheduled_for"] is None  # run by hand
    assert purge["last_run"]["now"] == NOW
    assert (purge["last_run"]["outcome"], purge["missed_last_7_days"]) == ("ok", 2)
    assert purge["last_run"]["detail"]["deleted"]["calls"] == 0
    assert purge["next_run"] == "2026-05-11T19:30:00+00:00"
    assert report["scheduler"]["runner"] == "host:42"
    assert report["scheduler"]["silent"] is True
    assert report["scheduler"]["silent_since"] == (AT - timedelta(minutes=5)).isoformat()


def test_status_as_a_table_has_aligned_columns_and_says_since_when_the_scheduler_is_silent(
    run: Run, env: JobEnv
) -> None:
    with env.database.write() as db:
        heartbeat.beat(db, "host:42", AT - timedelta(hours=1), AT - timedelta(minutes=5))
    run("jobs", "run", "retention-purge", "--now", NOW)
    lines = run("jobs", "status", "--now", NOW).output.splitlines()
    header, rows = lines[0], lines[1 : 1 + len(JOBS)]
    assert header.split()[:2] == ["JOB", "SCHEDULE"]
    column = header.index("NEXT RUN (UTC)")
    purge = next(row for row in rows if row.startswith("retention-purge "))
    assert purge[column:].startswith("2026-05-11 19:30")
    assert "deleted.care_contacts=0 deleted.notes=0" in purge  # the reminder numbers first
    assert lines[-1].startswith("scheduler: SILENT since 2026-05-10 20:55; last beat")
    assert "host:42" in lines[-1]


def test_a_job_run_by_hand_prints_its_result_and_twice_at_the_same_now_exits_0(
    run: Run,
) -> None:
    first, second = (run("jobs", "run", "lease-sweeper", "--now", NOW) for _ in range(2))
    assert (first.exit_code, second.exit_code) == (0, 0)
    assert json.loads(first.output)["job"] == "lease-sweeper"
    assert json.loads(first.output)["now"] == NOW
    assert json.loads(second.output)["outcome"] == "ok"


def test_a_job_that_fails_exits_1_with_the_errors_type_only(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(env: JobEnv, now: datetime) -> dict[str, Any]:
        raise ConnectionError("+8613900000001 unreachable")  # its message may carry data

    monkeypatch.setitem(JOBS, "retention-purge", replace(JOBS["retention-purge"], run=broken))
    result = run("jobs", "run", "retention-purge", "--now", NOW)
    assert result.exit_code == 1
    assert json.loads(result.output) == {
        "job": "retention-purge",
        "now": NOW,
        "outcome": "failed",
        "error": "ConnectionError",
    }


def test_an_unknown_job_exits_2_listing_every_name(run: Run) -> None:
    result = run("jobs", "run", "make-coffee")
    assert result.exit_code == 2
    assert all(name in result.output for name in JOBS)
