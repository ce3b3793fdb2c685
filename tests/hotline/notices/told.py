"""What the jobs queued, read back from the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from hotline.db import Database
from hotline.models import OutboxMessage


@dataclass(frozen=True, slots=True)
class Told:
    key: str
    urgent: bool
    body: str
    channel: str
    address: str | None

    @property
    def occasion(self) -> str:
        """The key without its recipient and channel."""
        return self.key.rsplit(":", 2)[0]

    @property
    def recipient(self) -> str:
        return self.key.rsplit(":", 2)[1]


def told(database: Database, kind: str) -> list[Told]:
    with database.read() as reading:
        rows = reading.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)
        ).all()
        return [Told(m.key, m.urgent, m.body, m.channel, m.address) for m in rows]
