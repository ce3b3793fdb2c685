"""Stretches cut at local midnights, as the calendar shows them, across DST changes."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from rota.days import by_local_day, wall_range
from rota.localtime import local_day_start, to_instant

LONDON, SYDNEY = ZoneInfo("Europe/London"), ZoneInfo("Australia/Sydney")


@pytest.mark.parametrize(
    ("tz", "night", "after_midnight"),
    [
        pytest.param(LONDON, date(2026, 10, 24), timedelta(hours=9), id="london-fall-back"),
        pytest.param(LONDON, date(2026, 3, 28), timedelta(hours=7), id="london-spring-forward"),
        pytest.param(SYDNEY, date(2026, 4, 4), timedelta(hours=9), id="sydney-fall-back"),
    ],
)
def test_a_night_shift_is_cut_at_midnight_and_keeps_its_hours(
    tz: ZoneInfo, night: date, after_midnight: timedelta
) -> None:
    start = to_instant(datetime.combine(night, datetime.min.time()).replace(hour=20), tz)
    end = to_instant(
        datetime.combine(night + timedelta(days=1), datetime.min.time()).replace(hour=8), tz
    )
    pieces = by_local_day([(start, end, "x")], tz, night, night + timedelta(days=1))
    (first,) = pieces[night]
    (second,) = pieces[night + timedelta(days=1)]
    assert wall_range(first[0], first[1], tz) == "20:00-24:00"
    assert wall_range(second[0], second[1], tz) == "00:00-08:00"
    assert first[1] == second[0]  # the pieces meet exactly
    assert second[1] - second[0] == after_midnight


def test_days_outside_the_range_get_no_piece() -> None:
    start = local_day_start(date(2026, 5, 1), LONDON)
    pieces = by_local_day([(start, start + timedelta(days=5), None)], LONDON,
                          date(2026, 5, 2), date(2026, 5, 3))  # fmt: skip
    assert sorted(pieces) == [date(2026, 5, 2), date(2026, 5, 3)]
