"""The active scheduler's heartbeat: written every few seconds, read by the web app's banner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import SchedulerBeat

BEAT_EVERY = timedelta(seconds=30)
SILENT_AFTER = timedelta(minutes=3)
_ROW = 1


def beat(session: Session, runner: str, started_at: datetime, now: datetime) -> None:
    """Say this scheduler is alive (one row, overwritten)."""
    row = session.get(SchedulerBeat, _ROW)
    if row is None:
        session.add(SchedulerBeat(id=_ROW, runner=runner, started_at=started_at, beat_at=now))
        return
    row.runner, row.started_at, row.beat_at = runner, started_at, now


def last_beat(session: Session) -> SchedulerBeat | None:
    return session.scalar(select(SchedulerBeat).where(SchedulerBeat.id == _ROW))


@dataclass(frozen=True, slots=True)
class Silence:
    """The scheduler has not been heard of lately: since when (None: never, on this database)."""

    since: datetime | None


def silence(session: Session, now: datetime) -> Silence | None:
    """None while the scheduler beats in time; else since when it has been silent."""
    row = last_beat(session)
    if row is None:
        return Silence(None)
    return Silence(row.beat_at) if now - row.beat_at > SILENT_AFTER else None
