"""Real `hotline scheduler` processes for the tests: started, watched with bounded polling,
always killed at the end."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, select

from hotline.models import SchedulerBeat
from tests.conftest import TEST_ENV


def scheduler_env(database_url: str) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    return {
        **inherited,
        **TEST_ENV,
        "HOTLINE_DATABASE_URL": database_url,
        "HOTLINE_OUTBOUND": "record",
    }


def scheduler_command() -> list[str]:
    return [sys.executable, "-m", "hotline", "scheduler"]


def runner_of(process: subprocess.Popen[bytes]) -> str:
    """What `hotline.jobs.ledger.runner_name()` says in that process."""
    return f"{socket.gethostname()[:80]}:{process.pid}"


class Schedulers:
    """Starts scheduler processes with their stderr in files; kills what is left at the end."""

    def __init__(self, database_url: str, logs: Path) -> None:
        self.database_url = database_url
        self.logs = logs
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, name: str) -> subprocess.Popen[bytes]:
        with (self.logs / f"{name}.log").open("wb") as log:
            process = subprocess.Popen(
                scheduler_command(),
                env=scheduler_env(self.database_url),
                cwd=self.logs,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.started.append(process)
        return process

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(encoding="utf-8", errors="replace")

    def kill_all(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


@contextmanager
def schedulers(database_url: str, logs: Path) -> Iterator[Schedulers]:
    made = Schedulers(database_url, logs)
    try:
        yield made
    finally:
        made.kill_all()


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> float:
    """Poll `condition` every 50 ms; the seconds it took, or fail after `timeout_s`."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout_s:
            raise AssertionError(f"not within {timeout_s} s: {what}")
        time.sleep(0.05)
    return time.monotonic() - start


def beating_runner(engine: Engine) -> str | None:
    """Who wrote the heartbeat row last (None: nobody yet)."""
    with engine.connect() as connection:
        found: str | None = connection.scalar(select(SchedulerBeat.runner))
    return found
