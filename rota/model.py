"""The rota's vocabulary: patterns, overrides, leave, and the versions they are published in.

A *moment* is a datetime that is either naive (a wall-clock time of the line, read in its zone)
or aware (an instant). Every output of the core is an aware UTC instant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Literal
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday names of the configuration file; index 0 is Monday, as in `date.weekday()`."""


@dataclass(frozen=True, slots=True)
class Weekly:
    """The same wall-clock slot on some weekdays; a slot belongs to the day it starts.

    `end <= start` means the slot runs past midnight into the next day.
    """

    days: frozenset[int]
    start: time
    end: time


@dataclass(frozen=True, slots=True)
class Period:
    """A rotation's hand-over period: `h` hours are elapsed time, `d` days keep the local hour."""

    amount: int
    unit: Literal["h", "d"]


@dataclass(frozen=True, slots=True)
class Rotation:
    """One counselor at a time, in list order, handing over every `every` from `start`.

    `start` is the naive local wall clock of the first hand-over; nobody is on duty before it.
    """

    start: datetime
    every: Period


@dataclass(frozen=True, slots=True)
class Pattern:
    """A recurring shape of duty for one tier; `valid_from`/`valid_until`: inclusive local days."""

    tier: int
    shape: Weekly | Rotation
    counselors: tuple[str, ...]
    valid_from: date | None = None
    valid_until: date | None = None
    key: str | None = None


@dataclass(frozen=True, slots=True)
class Override:
    """Replaces a tier's counselors over `[start, end)`; of overlapping ones, the later wins."""

    tier: int
    start: datetime
    end: datetime
    counselors: tuple[str, ...]
    key: str | None = None


@dataclass(frozen=True, slots=True)
class Leave:
    """A counselor is off over `[start, end)`: removed from every tier, overrides included."""

    counselor: str
    start: datetime
    end: datetime
    key: str | None = None


@dataclass(frozen=True, slots=True)
class LineRota:
    """Everything that decides who is on duty on one line, as one version saved it.

    `overrides` are in priority order (later wins); `inactive` counselors are never on duty.
    `tiers_at_least`: a rota read for one instant (`from_document(around=...)`) keeps out the
    overrides far from it, but not the tiers they name: the answer keeps its shape.
    """

    tz: ZoneInfo
    patterns: tuple[Pattern, ...] = ()
    overrides: tuple[Override, ...] = ()
    leave: tuple[Leave, ...] = ()
    inactive: frozenset[str] = field(default_factory=frozenset)
    tiers_at_least: int = 0


@dataclass(frozen=True, slots=True)
class Version:
    """A line's rota as saved at `saved_at` (aware); in force until the next version is saved."""

    number: int
    saved_at: datetime
    rota: LineRota


Tiers = tuple[tuple[str, ...], ...]
"""Counselors on duty per tier: index 0 is tier 1, each in the order they will be tried."""


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch `[start, end)` of UTC time over which the tiers on duty do not change."""

    start: datetime
    end: datetime
    tiers: Tiers


@dataclass(frozen=True, slots=True)
class Shift:
    """One counselor's continuous duty in one tier, overrides and leave applied (UTC)."""

    counselor: str
    tier: int
    start: datetime
    end: datetime


@dataclass(frozen=True, slots=True)
class Gap:
    """A stretch `[start, end)` of UTC time where tier 1 has nobody."""

    start: datetime
    end: datetime
