"""Hypothesis strategies: small random rotas around a clock change, in four zones."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from rota.model import Leave, LineRota, Override, Pattern, Period, Rotation, Version, Weekly

ZONES = ("Europe/London", "America/New_York", "Australia/Sydney", "Asia/Shanghai")
# The local dates of 2026's clock changes, spring forward first (Sydney's spring is October).
# Shanghai keeps one offset all year: the same dates serve as ordinary days, a control.
CHANGES = {
    "Europe/London": (date(2026, 3, 29), date(2026, 10, 25)),
    "America/New_York": (date(2026, 3, 8), date(2026, 11, 1)),
    "Australia/Sydney": (date(2026, 10, 4), date(2026, 4, 5)),
    "Asia/Shanghai": (date(2026, 3, 29), date(2026, 10, 25)),
}
NAMES = ("ana", "ben", "chen", "dev", "eli")


@dataclass(frozen=True)
class Scenario:
    rota: LineRota
    start: datetime
    end: datetime


def walls() -> st.SearchStrategy[time]:
    """Wall-clock times, often inside the hours where clocks change."""
    hours = st.sampled_from((0, 1, 2, 3, 8, 22, 23)) | st.integers(0, 23)
    minutes = st.sampled_from((0, 30)) | st.integers(0, 59)
    return st.builds(time, hours, minutes)


@st.composite
def moments(draw: st.DrawFn, anchor: date) -> datetime:
    """A moment near `anchor`: naive wall clock, or an instant with a whole-hour offset."""
    day = anchor + timedelta(days=draw(st.integers(-2, 1)))
    moment = datetime.combine(day, draw(walls()))
    if draw(st.booleans()):
        return moment
    offset = draw(st.sampled_from((0, 1, 8, 10, -5)) | st.integers(-12, 14))
    return moment.replace(tzinfo=UTC if offset == 0 else timezone(timedelta(hours=offset)))


def counselors() -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(st.sampled_from(NAMES), unique=True, max_size=3).map(tuple)


def tiers() -> st.SearchStrategy[int]:
    return st.sampled_from((1, 1, 1, 2, 3))


@st.composite
def patterns(draw: st.DrawFn, anchor: date) -> Pattern:
    shape: Weekly | Rotation
    if draw(st.booleans()):
        days = draw(st.frozensets(st.integers(0, 6)))
        shape = Weekly(days, draw(walls()), draw(walls()))
    else:
        first_day = anchor + timedelta(days=draw(st.integers(-20, 1)))
        every = draw(
            st.builds(Period, st.integers(1, 30), st.just("h"))
            | st.builds(Period, st.integers(1, 3), st.just("d"))
        )
        shape = Rotation(datetime.combine(first_day, draw(walls())), every)
    near = st.none() | st.integers(-2, 2).map(lambda days: anchor + timedelta(days=days))
    return Pattern(draw(tiers()), shape, draw(counselors()), draw(near), draw(near))


@st.composite
def overrides(draw: st.DrawFn, anchor: date) -> Override:
    start = draw(moments(anchor))
    end = start + timedelta(minutes=draw(st.integers(-60, 30 * 60)))
    return Override(draw(tiers()), start, end, draw(counselors()))


@st.composite
def leaves(draw: st.DrawFn, anchor: date) -> Leave:
    start = draw(moments(anchor))
    end = start + timedelta(minutes=draw(st.integers(-60, 30 * 60)))
    return Leave(draw(st.sampled_from(NAMES)), start, end)


@st.composite
def rotas(draw: st.DrawFn, zone: str, anchor: date) -> LineRota:
    return LineRota(
        tz=ZoneInfo(zone),
        patterns=tuple(draw(st.lists(patterns(anchor), min_size=1, max_size=5))),
        overrides=tuple(draw(st.lists(overrides(anchor), max_size=3))),
        leave=tuple(draw(st.lists(leaves(anchor), max_size=2))),
        inactive=draw(st.frozensets(st.sampled_from(NAMES), max_size=2)),
    )


@cache
def change_instant(zone: str, day: date) -> datetime:
    """When the clocks of `zone` change on local `day` (its midnight where they do not)."""
    tz = ZoneInfo(zone)
    midnight = datetime.combine(day, time(), tzinfo=tz).astimezone(UTC)
    for quarter in range(1, 24 * 4 + 1):
        at = midnight + timedelta(minutes=15 * quarter)
        if at.astimezone(tz).utcoffset() != (at - timedelta(minutes=15)).astimezone(tz).utcoffset():
            return at
    return midnight


@st.composite
def windows(draw: st.DrawFn) -> tuple[str, date, datetime, datetime]:
    """A zone, one of its clock-change dates, and a minute-aligned window of up to 26 hours,
    most often holding the change itself.
    """
    zone = draw(st.sampled_from(ZONES))
    anchor = draw(st.sampled_from(CHANGES[zone]))
    start = change_instant(zone, anchor) - timedelta(minutes=draw(st.integers(-60, 20 * 60)))
    length = st.integers(12 * 60, 26 * 60) | st.integers(12 * 60, 26 * 60) | st.integers(1, 26 * 60)
    end = start + timedelta(minutes=draw(length))
    return zone, anchor, start, end


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    zone, anchor, start, end = draw(windows())
    return Scenario(draw(rotas(zone, anchor)), start, end)


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Version], datetime, datetime]:
    """One to three versions of a line's rota, saved before or inside the window."""
    zone, anchor, start, end = draw(windows())
    versions = []
    for number in range(1, draw(st.integers(1, 3)) + 1):
        saved_at = start + timedelta(minutes=draw(st.integers(-600, 26 * 60)))
        versions.append(Version(number, saved_at, draw(rotas(zone, anchor))))
    return versions, start, end
