"""When a job is meant to run, as plain data and arithmetic on UTC instants.

The scheduler turns these into APScheduler triggers; the ledger uses the same arithmetic to
tell which occurrences were missed while no scheduler ran, so both agree on every instant.
`Every(n)` fires at the multiples of n seconds since the Unix epoch; `DailyAt(h, m)` at h:m UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Every:
    seconds: int

    def latest(self, at: datetime) -> datetime:
        """The last occurrence at or before `at`."""
        elapsed = int((at - EPOCH).total_seconds())
        return EPOCH + timedelta(seconds=elapsed - elapsed % self.seconds)

    @property
    def step(self) -> timedelta:
        return timedelta(seconds=self.seconds)


@dataclass(frozen=True, slots=True)
class DailyAt:
    hour: int
    minute: int = 0

    def latest(self, at: datetime) -> datetime:
        at = at.astimezone(UTC)
        today = at.replace(hour=self.hour, minute=self.minute, second=0, microsecond=0)
        return today if today <= at else today - timedelta(days=1)

    @property
    def step(self) -> timedelta:
        return timedelta(days=1)


Schedule = Every | DailyAt


def occurrences_between(schedule: Schedule, after: datetime, until: datetime) -> list[datetime]:
    """Occurrences in (after, until], oldest first."""
    found: list[datetime] = []
    at = schedule.latest(until)
    while at > after:
        found.append(at)
        at -= schedule.step
    return found[::-1]


def next_occurrence(schedule: Schedule, after: datetime) -> datetime:
    """The first occurrence strictly after `after`."""
    return schedule.latest(after) + schedule.step
