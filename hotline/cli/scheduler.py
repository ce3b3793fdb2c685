"""`hotline scheduler`: the scheduler process, logging to stderr; SIGTERM or Ctrl-C stops it
cleanly and frees its lock."""

from __future__ import annotations

import logging
import os
import signal
import threading
from types import FrameType

import click

from hotline.cli.context import fail, settings
from hotline.cli.jobs import job_env
from hotline.cli.service import configure_logging
from hotline.scheduler.leadership import leadership_for
from hotline.scheduler.process import run_scheduler


@click.command("scheduler")
def scheduler_command() -> None:
    """Run the jobs on their schedules: one active scheduler per deployment (on PostgreSQL a
    second one stands by; on SQLite it says who holds the lock and does not start)."""
    configure_logging()
    # APScheduler says "running job" at every firing; its warnings (a run missed, a job still
    # running at its next firing) are what an operator needs.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    env = job_env()
    try:
        leadership = leadership_for(settings().database_url)
    except ValueError as exc:
        fail(str(exc))
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    ending = run_scheduler(env, leadership, stop)
    if ending.unfinished:
        # Their threads may hang on a provider: end now rather than wait for them at exit.
        logging.shutdown()
        os._exit(ending.code)
    raise click.exceptions.Exit(ending.code)
