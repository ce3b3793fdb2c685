"""A sender process killed between claiming and sending (a real process, killed for real):
the urgent alert goes out again, the other message is marked unknown, none is lost or doubled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from hotline.db import Database
from hotline.jobs.env import JobEnv
from hotline.jobs.runner import run_job
from hotline.migrate import upgrade
from hotline.models import OutboxMessage
from hotline.outbound.port import Outbound
from hotline.outbound.sending import LEASE
from settings import Settings
from tests.conftest import ENGINES, TEST_ENV, FreshDatabases
from tests.hotline.jobs.fakes import FakeMail, FakeSms
from tests.hotline.jobs.test_outbox_sending import BOB, NOW, queue

ROOT = Path(__file__).resolve().parents[3]


def start_sender(url: str, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        **TEST_ENV,
        "HOTLINE_DATABASE_URL": url,
        "HOTLINE_SMS_PROVIDER": "tests.hotline.jobs.blocking_provider:make",
        "HOTLINE_TEST_SMS_LOG": str(log),
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "hotline", "jobs", "run", "outbox-send"]
    return subprocess.Popen(
        [*command, "--now", NOW.isoformat()],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def wait_for(log: Path, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if log.exists() and log.read_text(encoding="utf-8"):
            return
        time.sleep(0.05)
    raise AssertionError("the sender never reached the provider")


@pytest.mark.parametrize("kind", ENGINES)
def test_a_sender_killed_mid_send_resends_only_the_urgent_alert(
    kind: str, fresh_databases: FreshDatabases, tmp_path: Path
) -> None:
    url = fresh_databases.url(kind)
    database = Database.from_url(url)
    try:
        run_crash(database, url, tmp_path)
    finally:
        database.dispose()


def run_crash(database: Database, url: str, tmp_path: Path) -> None:
    upgrade(database.engine)
    queue(database, "alarm", BOB, urgent=True)
    queue(database, "routine", BOB, urgent=False)
    log = tmp_path / "handed.txt"
    process = start_sender(url, log)
    try:
        wait_for(log)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert log.read_text(encoding="utf-8").splitlines() == [BOB.phone]  # urgent went first
    sms = FakeSms()
    settings = Settings.from_env(TEST_ENV)
    env = JobEnv(database, settings, Outbound(sms, FakeMail()))
    assert run_job(env, "outbox-send", NOW + LEASE / 2).detail == {"messages": {}}
    after = run_job(env, "outbox-send", NOW + LEASE + timedelta(seconds=1))
    assert after.detail["messages"] == {"resent-after-crash": 1, "unknown": 1, "sent": 1}
    with database.read() as reading:
        found = {k: v for k, v in reading.execute(select(OutboxMessage.key, OutboxMessage.state))}
    assert found == {"alarm:user-901:sms": "sent", "routine:user-901:sms": "unknown"}
    assert [m.to for m in sms.sent] == [BOB.phone]
