"""`hotline jobs run NAME [--now ISO]` runs one job once, through the same function the scheduler
calls; `hotline jobs status [--json]` shows each job's last run, next run and misses, and the
scheduler's heartbeat."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import click
from sqlalchemy.orm import Session

from hotline.cli.context import database, fail, parse_moment_option, settings, write
from hotline.clock import now as clock_now
from hotline.jobs import heartbeat, ledger
from hotline.jobs.env import JobEnv
from hotline.jobs.registry import JOBS, Job
from hotline.jobs.runner import run_job
from hotline.jobs.schedule import Every, Schedule, next_occurrence
from hotline.models import JobRun

MISSED_WINDOW = timedelta(days=7)


def job_env() -> JobEnv:
    """What jobs get, from the settings; a provider set up wrongly is bad input (exit 2)."""
    # Imported here: the providers (and the Twilio SDK) load only for commands that may send.
    from hotline.outbound.providers import build_outbound

    try:
        outbound = build_outbound(settings())
    except ValueError as exc:
        fail(str(exc))
    return JobEnv(database(), settings(), outbound)


@click.group("jobs")
def jobs() -> None:
    """Scheduled jobs: run one by hand (operators, cron, tests), or see how they ran."""


@jobs.command("run")
@click.argument("name")
@click.option("--now", "now_text", help="ISO-8601 instant with an offset; default: now.")
def jobs_run(name: str, now_text: str | None) -> None:
    """Run the job NAME once, as if at --now; exit 1 when it failed."""
    if name not in JOBS:
        fail(f"unknown job {name!r}; one of: {', '.join(sorted(JOBS))}")
    result = run_job(job_env(), name, _instant(now_text))
    write(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
    if result.outcome == ledger.FAILED:
        raise click.exceptions.Exit(1)


@jobs.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON object instead of a table.")
@click.option("--now", "now_text", help="ISO-8601 instant with an offset; default: now.")
def jobs_status(as_json: bool, now_text: str | None) -> None:
    """Each job's last run, next run and runs missed (7 days); the scheduler's heartbeat."""
    at = _instant(now_text)
    with database().read() as db:
        report = job_status(db, at)
    write(json.dumps(report, indent=2, ensure_ascii=False) if as_json else render_status(report))


def _instant(now_text: str | None) -> datetime:
    if now_text is None:
        return clock_now()
    at = parse_moment_option(now_text, "--now")
    if at.tzinfo is None:
        fail("--now: give an offset (Z or +08:00): a job runs at an instant")
    return at


def job_status(db: Session, now: datetime) -> dict[str, Any]:
    """The JSON of `jobs status`: every job of the registry, and the scheduler's heartbeat."""
    return {
        "now": now.isoformat(),
        "jobs": [_job_json(db, job, now) for job in JOBS.values()],
        "scheduler": _scheduler_json(db, now),
    }


def describe_schedule(schedule: Schedule) -> str:
    if isinstance(schedule, Every):
        return f"every {schedule.seconds} s"
    return f"daily {schedule.hour:02d}:{schedule.minute:02d} UTC"


def _job_json(db: Session, job: Job, now: datetime) -> dict[str, Any]:
    last = ledger.last_run(db, job.name)
    return {
        "job": job.name,
        "schedule": describe_schedule(job.schedule),
        "grace_seconds": int(job.grace.total_seconds()),
        "last_run": None if last is None else _run_json(last),
        "next_run": next_occurrence(job.schedule, now).isoformat(),
        "missed_last_7_days": ledger.missed_count(db, job.name, now - MISSED_WINDOW),
    }


def _run_json(run: JobRun) -> dict[str, Any]:
    return {
        "scheduled_for": _iso(run.scheduled_for),  # null: run by hand
        "now": run.now.isoformat(),
        "started_at": run.started_at.isoformat(),
        "finished_at": _iso(run.finished_at),
        "outcome": run.outcome,
        "runner": run.runner,
        "detail": run.detail,
    }


def _scheduler_json(db: Session, now: datetime) -> dict[str, Any]:
    row = heartbeat.last_beat(db)
    quiet = heartbeat.silence(db, now)
    return {
        "runner": row.runner if row else None,
        "started_at": _iso(row.started_at if row else None),
        "last_beat": _iso(row.beat_at if row else None),
        "silent": quiet is not None,
        "silent_since": _iso(quiet.since if quiet else None),
    }


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.isoformat()


def render_status(report: dict[str, Any]) -> str:
    """An aligned table, one job a row, then a line about the scheduler."""
    header = ("JOB", "SCHEDULE", "LAST RUN (UTC)", "OUTCOME", "DID", "NEXT RUN (UTC)", "MISSED 7D")
    rows = [header, *(_row(job) for job in report["jobs"])]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    return "\n".join([*lines, "", _scheduler_line(report["scheduler"])])


def _row(job: dict[str, Any]) -> tuple[str, ...]:
    last = job["last_run"] or {}
    return (
        job["job"],
        job["schedule"],
        _minute(last.get("started_at")),
        last.get("outcome", "never run"),
        _summary(last.get("detail", {})),
        _minute(job["next_run"]),
        str(job["missed_last_7_days"]),
    )


def _scheduler_line(beat: dict[str, Any]) -> str:
    if beat["runner"] is None:
        return "scheduler: never heard from on this database"
    state = f"SILENT since {_minute(beat['silent_since'])}" if beat["silent"] else "beating"
    return (
        f"scheduler: {state}; last beat {_minute(beat['last_beat'])} UTC from {beat['runner']},"
        f" running since {_minute(beat['started_at'])} UTC"
    )


def _minute(iso: str | None) -> str:
    return "-" if iso is None else datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")


def _summary(detail: dict[str, Any], limit: int = 48) -> str:
    """What a run did, as `key=value` pairs (nested keys joined with dots), cut to `limit`."""
    pairs: list[str] = []

    def flatten(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                flatten(f"{prefix}.{key}" if prefix else str(key), inner)
        else:
            pairs.append(f"{prefix}={value}")

    flatten("", detail)
    text = " ".join(pairs) or "-"
    return text if len(text) <= limit else text[: limit - 1] + "…"
