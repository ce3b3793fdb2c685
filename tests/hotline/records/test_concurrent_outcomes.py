"""Several first saves of one outcome at the same moment (a double click, two tabs): all succeed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from hotline.config.importer import import_configuration
from hotline.db import Database
from hotline.models import Call, CallOutcome, RiskAlert
from hotline.records.outcomes import OutcomeInput, save_outcome
from tests.conftest import ENGINES, RECORDS_CONFIG, FreshDatabases, RecordsWorld

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
SAVES = 6


@pytest.fixture(params=ENGINES)
def shared(request: pytest.FixtureRequest, fresh_databases: FreshDatabases) -> Iterator[Engine]:
    engine = fresh_databases.engine(request.param)
    with Database(engine).write() as writing:
        import_configuration(writing, RECORDS_CONFIG, NOW - timedelta(days=1))
    yield engine
    engine.dispose()


@pytest.fixture
def inserts_together(shared: Engine) -> Iterator[None]:
    """PostgreSQL: every save reaches its first insert before any of them goes on, so each has
    found no outcome yet: the race, every time. (SQLite takes writes one at a time.)"""
    if shared.dialect.name != "postgresql":
        yield
        return
    barrier, waited = threading.Barrier(SAVES, timeout=20), threading.local()

    def _wait_for_the_others(session: Session, *args: Any) -> None:
        if not getattr(waited, "done", False) and any(
            isinstance(obj, CallOutcome) for obj in session.new
        ):
            waited.done = True
            barrier.wait()

    event.listen(Session, "before_flush", _wait_for_the_others)
    yield
    event.remove(Session, "before_flush", _wait_for_the_others)


def test_six_first_saves_of_one_outcome_at_once_all_succeed_with_one_row(
    shared: Engine, inserts_together: None, cheap_passwords: object
) -> None:
    database = Database(shared)
    call_id = RecordsWorld(database, cheap_passwords).call("city", NOW, counselor="wang-li")
    failures: list[BaseException] = []

    def save(index: int) -> None:
        data = OutcomeInput("counseling", (), "high", (), None, None, None, f"note {index}")
        try:
            with database.write() as writing:
                call = writing.get(Call, call_id)
                assert call is not None
                save_outcome(writing, call, data, NOW, note_max=4000, public_url="https://h.x")
        except BaseException as exc:  # reported below, with the others
            failures.append(exc)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(SAVES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with database.read() as reading:
        assert reading.scalar(select(func.count(CallOutcome.id))) == 1
        assert reading.scalar(select(func.count(RiskAlert.id))) == 1
