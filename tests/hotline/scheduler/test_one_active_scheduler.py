"""One active scheduler: real `hotline scheduler` processes on one database. On PostgreSQL the
second stands by and takes over when the first is killed; on SQLite it names the holder and
does not start."""

from __future__ import annotations

import signal
from pathlib import Path

from sqlalchemy import Engine

from hotline.db import create_db_engine
from hotline.migrate import upgrade
from hotline.scheduler.leadership import FileLeadership, PostgresLeadership
from hotline.scheduler.process import EXIT_REFUSED, EXIT_STOPPED
from tests.hotline.scheduler.processes import (
    beating_runner,
    runner_of,
    schedulers,
    wait_until,
)


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_a_second_scheduler_on_sqlite_names_the_holder_and_does_not_start(tmp_path: Path) -> None:
    # A file name without long runs of digits: the log mask hides those (as phone numbers).
    engine = create_db_engine(f"sqlite:///{tmp_path / 'scheduled.db'}")
    upgrade(engine)
    database_file = engine.url.database
    assert database_file is not None
    lock_file = Path(database_file + ".scheduler-lock")
    try:
        with schedulers(_url(engine), tmp_path) as started:
            first = started.start("first")
            wait_until(lambda: beating_runner(engine) == runner_of(first), 30, "first beats")
            assert lock_file.read_text(encoding="utf-8").strip() == runner_of(first)

            second = started.start("second")
            assert second.wait(timeout=30) == EXIT_REFUSED
            refusal = started.log("second")
            assert f"not starting: another scheduler ({runner_of(first)}) holds" in refusal
            assert str(lock_file) in refusal
            assert "only one scheduler may run against a SQLite database" in refusal
            assert beating_runner(engine) == runner_of(first)

            first.send_signal(signal.SIGTERM)
            assert first.wait(timeout=30) == EXIT_STOPPED
        after = FileLeadership(lock_file)
        assert after.try_acquire()  # the stopped scheduler let go of its lock
        after.release()
    finally:
        engine.dispose()


def test_a_lock_file_removed_under_the_leader_counts_as_lost(tmp_path: Path) -> None:
    lock_file = tmp_path / "hotline.db.scheduler-lock"
    leader = FileLeadership(lock_file)
    assert leader.try_acquire()
    assert leader.still_held()
    lock_file.unlink()  # a new process could now lock a new file: two leaders
    assert not leader.still_held()
    leader.release()


def test_a_scheduler_that_cannot_reach_postgresql_does_not_lead_and_says_why() -> None:
    unreachable = PostgresLeadership("postgresql+psycopg://postgres@127.0.0.1:1/hotline")
    try:
        assert not unreachable.try_acquire()
        assert not unreachable.still_held()
        assert unreachable.holder() == "unknown (the database is unreachable)"
    finally:
        unreachable.release()
