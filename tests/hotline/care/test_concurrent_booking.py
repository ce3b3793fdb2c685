"""Counselors booking the last place at the same moment, each in their own transaction on a
real database (SQLite and PostgreSQL): exactly one gets it, the others are told it is full."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from hotline.care.booking import BadBooking, BookingInput, book
from hotline.care.calendar import SessionInput, publish_session
from hotline.config.importer import import_configuration
from hotline.db import Database
from hotline.models import Booking, Call, CareSession, Counselor, Hotline
from hotline.secrets_at_rest import DataKeys
from settings import Settings
from tests.conftest import ENGINES, RECORDS_CONFIG, FreshDatabases
from tests.hotline.care.conftest import CANARY, NOW

COUNSELORS = 6
ROUNDS = 5


@pytest.fixture(params=ENGINES)
def shared(request: pytest.FixtureRequest, fresh_databases: FreshDatabases) -> Iterator[Database]:
    engine: Engine = fresh_databases.engine(request.param)
    database = Database(engine)
    with database.write() as session:
        import_configuration(session, RECORDS_CONFIG, NOW - timedelta(days=30))
    yield database
    engine.dispose()


def _calls(database: Database, count: int, round_: int) -> list[int]:
    with database.write() as db:
        line = db.scalar(select(Hotline.id).where(Hotline.key == "city"))
        counselor = db.scalar(select(Counselor.id).where(Counselor.key == "wang-li"))
        made = [
            Call(
                call_sid=f"CA{round_:016d}{n:016d}",
                hotline_id=line,
                caller="v2:AAAAAAAAAAAAAAAAAAAAAAAAAA",
                arrived_at=NOW - timedelta(minutes=30),
                status="completed",
                result="answered",
                answered_by_id=counselor,
                answered_line_id=line,
                rota_version=1,
                plan=[],
            )
            for n in range(count)
        ]
        db.add_all(made)
        db.flush()
        return [call.id for call in made]


def _last_place(database: Database, round_: int) -> int:
    with database.write() as db:
        line = db.scalar(select(Hotline).where(Hotline.key == "city"))
        assert line is not None
        wall = datetime.fromisoformat("2027-03-10T09:00") + timedelta(days=round_)  # local
        made = publish_session(db, line, SessionInput("Room 1", "王丽", 50, 1), wall, NOW, "t")
        return made.id


def test_exactly_one_of_several_counselors_gets_the_last_place(
    shared: Database, settings: Settings
) -> None:
    keys = DataKeys.of(settings)
    for round_ in range(ROUNDS):
        session_id = _last_place(shared, round_)
        calls = _calls(shared, COUNSELORS, round_)
        barrier = threading.Barrier(COUNSELORS)
        results: list[str] = []

        def try_booking(
            call_id: int,
            session_id: int = session_id,
            barrier: threading.Barrier = barrier,
            results: list[str] = results,
        ) -> None:
            data = BookingInput(session_id, True, CANARY)
            barrier.wait()
            try:
                with shared.write() as db:
                    call = db.get(Call, call_id)
                    assert call is not None
                    booked = book(db, call, data, NOW, actor="t", keys=keys)
                    results.append("booked:" + booked.booking.code)
            except BadBooking as refused:
                results.append(refused.code)

        threads = [threading.Thread(target=try_booking, args=(c,)) for c in calls]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(r.split(":")[0] for r in results) == ["booked"] + ["full"] * 5
        with shared.read() as db:
            held = db.get(CareSession, session_id)
            assert held is not None
            assert held.booked == 1
            bookings = db.scalar(
                select(func.count(Booking.id)).where(Booking.session_id == session_id)
            )
            assert bookings == 1
