"""Local wall-clock time to UTC instants: the one place where the DST rule lives."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_UTC_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_WALL_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 - the naive twin of _UTC_EPOCH, on purpose
_MOMENT = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}(:\d{2})?)?"
)


def to_instant(moment: datetime, tz: ZoneInfo) -> datetime:
    """The aware UTC instant that `moment` names: naive means wall-clock time in `tz`.

    The DST rule: a wall-clock time that does not exist (a spring-forward gap) moves forward by
    the gap, so 02:30 in a one-hour gap is 03:30 local; an ambiguous one (fall-back) means its
    first occurrence. PEP 495's `fold=0` gives exactly this: zoneinfo reads a gap time with the
    offset in force before the change, and a repeated time with the earlier of its two offsets.
    """
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    if moment.fold:
        moment = moment.replace(fold=0)
    # Epoch arithmetic instead of replace(tzinfo=...).astimezone(): ten times faster, and
    # expanding a rota makes two of these per slot.
    offset = tz.utcoffset(moment) or timedelta()  # a ZoneInfo never answers None
    return _UTC_EPOCH + (moment - _WALL_EPOCH) - offset


def as_utc(at: datetime) -> datetime:
    """Instant `at` in UTC; a naive datetime is refused, since here it could only be a guess."""
    if at.tzinfo is None:
        raise ValueError(f"{at.isoformat()} is naive: the rota core takes aware instants")
    return at.astimezone(UTC)


def local_day_start(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant at which local `day` begins in `tz` (its midnight, by the same rule)."""
    return to_instant(datetime.combine(day, time()), tz)


def parse_moment(text: str) -> datetime:
    """Read a configuration moment: `2026-12-24T08:00` is wall-clock (naive), `...+08:00`/`...Z`
    are instants (aware). Raises ValueError naming the text and the expected form.
    """
    if not _MOMENT.fullmatch(text):
        raise ValueError(
            f"{text!r} is not a date and time like 2026-12-24T08:00 "
            "(optionally with seconds and an offset such as Z or +08:00)"
        )
    try:
        return datetime.fromisoformat(text)
    except ValueError as error:
        raise ValueError(f"{text!r} is not a valid date and time: {error}") from None
