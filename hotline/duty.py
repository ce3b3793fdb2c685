"""Who is on duty: a line's tiers at an instant, with each counselor's contact details.

`DutyIndex` keeps a prepared index per line in each process and follows new rota versions:
it re-reads the newest version id at most every `recheck_seconds`, so every process answers
from a version within a second of its saving.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.cache import RefreshingCopy
from hotline.models import Counselor, Hotline
from hotline.rota_versions import load_history, newest_version_id, version_at
from rota import coverage
from rota.history import RotaHistory
from rota.index import PreparedIndex
from rota.model import Segment, Tiers


class UnknownHotline(LookupError):
    """No line has that key."""


@dataclass(frozen=True, slots=True)
class OnDuty:
    key: str
    name: str
    phone: str


@dataclass(frozen=True, slots=True)
class LineTiers:
    """The tiers of a line at `at`, each in the order its counselors will be tried."""

    hotline: str
    at: datetime
    version: int | None
    tiers: tuple[tuple[OnDuty, ...], ...]

    def as_json(self) -> dict[str, object]:
        return {
            "hotline": self.hotline,
            "at": self.at.isoformat(),
            "tiers": [
                [{"counselor": c.key, "name": c.name, "phone": c.phone} for c in tier]
                for tier in self.tiers
            ],
        }


def find_hotline(session: Session, key: str) -> Hotline:
    hotline = session.scalar(select(Hotline).where(Hotline.key == key))
    if hotline is None:
        raise UnknownHotline(f"unknown hotline {key!r}")
    return hotline


def duty_at(session: Session, hotline_key: str, at: datetime) -> LineTiers:
    """From a cold read (CLI, one-off questions): only the version in force at `at` is read."""
    version = version_at(session, hotline_key, at)
    if version is None:
        find_hotline(session, hotline_key)  # an unknown line is an error, not an empty rota
        return describe(session, hotline_key, at, None, ())
    return describe(session, hotline_key, at, version.number, coverage.tiers_at(version.rota, at))


def describe(
    session: Session, hotline_key: str, at: datetime, version: int | None, tiers: Tiers
) -> LineTiers:
    """Attach names and phones (as they are now) to the counselor keys of `tiers`."""
    keys = {key for tier in tiers for key in tier}
    people = {
        person.key: OnDuty(person.key, person.name, person.phone)
        for person in session.scalars(select(Counselor).where(Counselor.key.in_(keys)))
    }
    return LineTiers(
        hotline_key,
        at,
        version,
        tuple(tuple(people[k] for k in tier if k in people) for tier in tiers),
    )


@dataclass(frozen=True, slots=True)
class HeldTiers:
    """Tiers from a process's index, and the newest version id it followed then."""

    newest: int
    version: int | None
    tiers: Tiers


@dataclass(frozen=True, slots=True)
class _Prepared:
    history: RotaHistory
    index: PreparedIndex


@dataclass(frozen=True, slots=True)
class _Versions:
    """The prepared index of each line asked about since the newest version id was `newest`."""

    newest: int
    lines: dict[str, _Prepared] = field(default_factory=dict)

    def following(self, newest: int) -> _Versions:
        """Itself while no version was saved since, else an empty one for `newest`."""
        return self if newest == self.newest else _Versions(newest)


class DutyIndex:
    """Prepared indexes of every line, kept per process and refreshed on new versions."""

    def __init__(
        self, recheck_seconds: float = 0.5, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        # The newest version id is re-read at most every `recheck_seconds` (`hotline.cache`).
        self._versions = RefreshingCopy(_Versions(-1), recheck_seconds, monotonic)
        self._lock = threading.Lock()  # guards adding a line's index, never a database read

    @property
    def recheck_seconds(self) -> float:
        return self._versions.every_seconds

    def tiers_at(
        self, session: Session, hotline_id: int, hotline_key: str, at: datetime
    ) -> tuple[int | None, Tiers]:
        """The version number in force at `at` and its tiers (counselor keys)."""
        prepared = self._prepared(session, hotline_id, hotline_key)
        version = prepared.history.version_at(at)
        return (version.number if version else None), prepared.index.tiers_at(at)

    def timeline(
        self, session: Session, hotline_id: int, hotline_key: str, start: datetime, end: datetime
    ) -> list[Segment]:
        """The line's segments over `[start, end)` from the prepared index (the board's gaps)."""
        return self._prepared(session, hotline_id, hotline_key).index.timeline(start, end)

    def held_tiers(self, hotline_key: str, at: datetime) -> HeldTiers | None:
        """`tiers_at` without a query, from the index in hand (None when the line is not
        prepared): right while no version newer than its `newest` was saved."""
        versions = self._versions.last_known()
        prepared = versions.lines.get(hotline_key)
        if prepared is None:
            return None
        version = prepared.history.version_at(at)
        number = version.number if version else None
        return HeldTiers(versions.newest, number, prepared.index.tiers_at(at))

    def follow(self, newest: int) -> None:
        """Follow `newest`, the newest version id a caller has just read, at once when it is
        newer than the one held (the next `tiers_at` prepares its line afresh)."""
        self._versions.advance(lambda held: held if newest <= held.newest else _Versions(newest))

    def duty_at(self, session: Session, hotline_key: str, at: datetime) -> LineTiers:
        hotline = find_hotline(session, hotline_key)
        version, tiers = self.tiers_at(session, hotline.id, hotline.key, at)
        return describe(session, hotline_key, at, version, tiers)

    def _prepared(self, session: Session, hotline_id: int, hotline_key: str) -> _Prepared:
        versions = self._versions.current(lambda held: held.following(newest_version_id(session)))
        prepared = versions.lines.get(hotline_key)
        if prepared is not None:
            return prepared
        history = load_history(session, hotline_id)  # outside the lock, like every read
        made = _Prepared(history, PreparedIndex(history))
        with self._lock:  # threads that loaded the same line at once: the first one kept wins
            return versions.lines.setdefault(hotline_key, made)
