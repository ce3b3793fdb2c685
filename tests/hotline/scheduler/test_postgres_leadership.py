"""One active scheduler on PostgreSQL (collected only when HOTLINE_TEST_POSTGRES_URL is set, as CI
does): a second process stands by and takes over when the first is killed."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from hotline.scheduler.leadership import APPLICATION, PostgresLeadership
from hotline.scheduler.process import EXIT_STOPPED
from tests.conftest import FreshDatabases
from tests.hotline.scheduler.processes import (
    beating_runner,
    runner_of,
    schedulers,
    wait_until,
)

pytestmark = pytest.mark.postgresql_only


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def test_a_second_scheduler_stands_by_and_takes_over_within_seconds_when_the_first_is_killed(
    fresh_databases: FreshDatabases, tmp_path: Path
) -> None:
    engine = fresh_databases.engine("postgresql")
    try:
        with schedulers(_url(engine), tmp_path) as started:
            first = started.start("first")
            wait_until(lambda: beating_runner(engine) == runner_of(first), 30, "first beats")
            second = started.start("second")
            wait_until(lambda: "standing by" in started.log("second"), 30, "second stands by")
            assert f"standing by: {runner_of(first)} leads" in started.log("second")
            assert beating_runner(engine) == runner_of(first)

            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
            took = wait_until(
                lambda: beating_runner(engine) == runner_of(second), 20, "second takes over"
            )
            assert took < 10  # standby retries every 2 s
            assert "scheduler active as" in started.log("second")

            second.send_signal(signal.SIGTERM)
            assert second.wait(timeout=30) == EXIT_STOPPED
            assert "scheduler stopped" in started.log("second")
    finally:
        engine.dispose()


def test_a_standby_takes_the_lock_the_leader_releases_and_names_it_meanwhile(
    fresh_databases: FreshDatabases,
) -> None:
    url = fresh_databases.url("postgresql")
    leader, standby = PostgresLeadership(url), PostgresLeadership(url)
    try:
        assert leader.try_acquire()
        assert not standby.try_acquire()
        assert standby.holder().endswith(f":{os.getpid()}")
        assert leader.still_held()
        leader.release()
        assert standby.try_acquire()
        assert standby.still_held()
    finally:
        leader.release()
        standby.release()


def test_a_leader_whose_lock_connection_is_cut_knows_it_no_longer_leads(
    fresh_databases: FreshDatabases,
) -> None:
    url = fresh_databases.url("postgresql")
    leader = PostgresLeadership(url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        assert leader.try_acquire()
        with admin.connect() as connection:
            cut = connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND application_name LIKE :name"
                ),
                {"name": f"{APPLICATION}%"},
            )
        assert cut == 1
        assert not leader.still_held()
    finally:
        leader.release()
        admin.dispose()
