"""A records database with sessions to book, and a call answered by wang-li on the city line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.care.booking import Booked, BookingInput, book
from hotline.care.calendar import SessionInput, publish_session
from hotline.care.vocabulary import REMINDER_KIND as KIND
from hotline.db import Database
from hotline.models import Call, Hotline, OutboxMessage
from hotline.secrets_at_rest import DataKeys
from settings import Settings

# 10:00 in Shanghai, Monday 1 March 2027.
NOW = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)
CANARY = "+8613800138000"


class Care:
    """Publishes sessions and books them, each in its own write transaction."""

    def __init__(self, database: Database, world: Any, keys: DataKeys) -> None:
        self.database, self.world, self.keys = database, world, keys

    def line(self, db: Session, key: str = "city") -> Hotline:
        found = db.scalar(select(Hotline).where(Hotline.key == key))
        assert found is not None
        return found

    def line_id(self, key: str = "city") -> int:
        with self.database.read() as db:
            return self.line(db, key).id

    def session(
        self, wall: str = "2027-03-03T14:00", *, line: str = "city", capacity: int = 2
    ) -> int:
        data = SessionInput("3号楼 204 室", "王丽", 50, capacity)
        with self.database.write() as db:
            made = publish_session(
                db, self.line(db, line), data, datetime.fromisoformat(wall), NOW, "olga"
            )
            return made.id

    def reminders(self) -> list[OutboxMessage]:
        """The reminder messages, detached (readable after the read transaction ends)."""
        with self.database.read() as db:
            found = list(db.scalars(select(OutboxMessage).where(OutboxMessage.kind == KIND)))
            for message in found:
                db.expunge(message)
        return found

    def call(self, counselor: str = "wang-li", line: str = "city") -> int:
        return int(self.world.call(line, NOW - timedelta(minutes=20), counselor=counselor))

    def book(
        self,
        call_id: int,
        session_id: int,
        phone: str = "",
        *,
        consent: bool = False,
        at: datetime = NOW,
    ) -> Booked:
        with self.database.write() as db:
            call = db.get(Call, call_id)
            assert call is not None
            return book(
                db,
                call,
                BookingInput(session_id, consent, phone),
                at,
                actor="wang",
                keys=self.keys,
            )


@pytest.fixture
def care(records_db: Database, world: Any, settings: Settings) -> Care:
    return Care(records_db, world, DataKeys.of(settings))
