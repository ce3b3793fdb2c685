"""Service hours: weekly windows in the line's zone, across clock changes, and gaps within them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from rota.model import Gap, Weekly
from rota.service_hours import gaps_in_service, read_service_hours, service_windows

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
EVERY_DAY = frozenset(range(7))
WEEKDAYS = frozenset(range(5))
NIGHTS = Weekly(EVERY_DAY, time(22), time(6))
OFFICE = Weekly(WEEKDAYS, time(9), time(17))
HOUR = timedelta(hours=1)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local(text: str, tz: ZoneInfo) -> datetime:
    """The instant of a local wall-clock time that is not near a clock change."""
    return datetime.fromisoformat(text).replace(tzinfo=tz).astimezone(UTC)


def night_from(tz: ZoneInfo, evening: date) -> tuple[datetime, datetime]:
    start = local(f"{evening.isoformat()}T12:00", tz)
    windows = service_windows([NIGHTS], tz, start, start + 24 * HOUR)
    assert len(windows) == 1
    return windows[0]


@pytest.mark.parametrize(
    ("tz", "evening", "hours"),
    [
        pytest.param(LONDON, date(2026, 3, 28), 7, id="london-spring-forward"),
        pytest.param(LONDON, date(2026, 10, 24), 9, id="london-fall-back"),
        pytest.param(NEW_YORK, date(2026, 3, 7), 7, id="new-york-spring-forward"),
        pytest.param(NEW_YORK, date(2026, 10, 31), 9, id="new-york-fall-back"),
        pytest.param(SYDNEY, date(2026, 10, 3), 7, id="sydney-spring-forward-in-october"),
        pytest.param(SYDNEY, date(2026, 4, 4), 9, id="sydney-fall-back-in-april"),
        pytest.param(LONDON, date(2026, 7, 4), 8, id="london-summer"),
    ],
)
def test_a_night_window_is_as_long_as_the_clocks_make_it(
    tz: ZoneInfo, evening: date, hours: int
) -> None:
    start, end = night_from(tz, evening)

    assert end - start == hours * HOUR
    assert start.astimezone(tz).time() == time(22)
    assert end.astimezone(tz).time() == time(6)


def test_a_window_starting_in_the_skipped_hour_starts_when_the_clock_resumes() -> None:
    hours = [Weekly(frozenset({6}), time(2, 30), time(5))]  # Sunday 8 March 2026

    windows = service_windows(hours, NEW_YORK, utc("2026-03-08T00:00"), utc("2026-03-09T00:00"))

    assert windows == [(utc("2026-03-08T07:30"), utc("2026-03-08T09:00"))]  # 03:30 to 05:00 EDT


def test_a_window_starting_in_the_repeated_hour_starts_at_its_first_occurrence() -> None:
    hours = [Weekly(frozenset({6}), time(1, 30), time(3))]  # Sunday 1 November 2026

    windows = service_windows(hours, NEW_YORK, utc("2026-11-01T00:00"), utc("2026-11-02T00:00"))

    assert windows == [(utc("2026-11-01T05:30"), utc("2026-11-01T08:00"))]  # EDT, then EST


def test_windows_that_meet_at_midnight_or_overlap_are_one_window() -> None:
    whole_days = Weekly(frozenset({0, 1}), time(0), time(0))
    evening = Weekly(frozenset({1}), time(20), time(23))
    start, end = local("2026-06-01T00:00", LONDON), local("2026-06-08T00:00", LONDON)  # Mon

    windows = service_windows([whole_days, evening], LONDON, start, end)

    assert windows == [(start, local("2026-06-03T00:00", LONDON))]


def test_windows_are_clipped_to_the_asked_stretch() -> None:
    start, end = local("2026-06-01T12:00", LONDON), local("2026-06-02T10:00", LONDON)

    windows = service_windows([OFFICE], LONDON, start, end)

    assert windows == [
        (start, local("2026-06-01T17:00", LONDON)),
        (local("2026-06-02T09:00", LONDON), end),
    ]


def test_a_gap_outside_the_service_hours_is_dropped_and_one_straddling_them_is_clipped() -> None:
    start, end = local("2026-06-01T00:00", LONDON), local("2026-06-08T00:00", LONDON)
    saturday = Gap(local("2026-06-06T09:00", LONDON), local("2026-06-06T17:00", LONDON))
    tuesday_morning = Gap(local("2026-06-02T07:00", LONDON), local("2026-06-02T10:00", LONDON))
    wednesday_evening = Gap(local("2026-06-03T16:00", LONDON), local("2026-06-03T20:00", LONDON))

    found = gaps_in_service(
        [tuesday_morning, wednesday_evening, saturday], [OFFICE], LONDON, start, end
    )

    assert found == [
        Gap(local("2026-06-02T09:00", LONDON), local("2026-06-02T10:00", LONDON)),
        Gap(local("2026-06-03T16:00", LONDON), local("2026-06-03T17:00", LONDON)),
    ]


def test_a_gap_across_two_windows_is_told_as_two() -> None:
    start, end = local("2026-06-01T00:00", LONDON), local("2026-06-08T00:00", LONDON)
    two_days = Gap(local("2026-06-01T12:00", LONDON), local("2026-06-02T12:00", LONDON))

    found = gaps_in_service([two_days], [OFFICE], LONDON, start, end)

    assert found == [
        Gap(local("2026-06-01T12:00", LONDON), local("2026-06-01T17:00", LONDON)),
        Gap(local("2026-06-02T09:00", LONDON), local("2026-06-02T12:00", LONDON)),
    ]


def test_a_whole_day_gap_on_a_fall_back_night_is_the_nine_hour_night() -> None:
    start, end = utc("2026-10-24T00:00"), utc("2026-10-26T00:00")
    whole_day = Gap(local("2026-10-24T12:00", LONDON), utc("2026-10-25T12:00"))

    found = gaps_in_service([whole_day], [NIGHTS], LONDON, start, end)

    assert found == [Gap(utc("2026-10-24T21:00"), utc("2026-10-25T06:00"))]


def test_without_service_hours_gaps_are_only_clipped_and_merged() -> None:
    start, end = utc("2026-06-01T00:00"), utc("2026-06-02T00:00")
    gaps = [
        Gap(utc("2026-06-01T20:00"), utc("2026-06-02T04:00")),
        Gap(utc("2026-05-31T20:00"), utc("2026-06-01T02:00")),
        Gap(utc("2026-06-01T02:00"), utc("2026-06-01T03:00")),
    ]

    found = gaps_in_service(gaps, None, LONDON, start, end)

    assert found == [
        Gap(start, utc("2026-06-01T03:00")),
        Gap(utc("2026-06-01T20:00"), end),
    ]


def test_no_gaps_or_no_windows_leave_nothing_to_tell() -> None:
    start, end = utc("2026-06-01T00:00"), utc("2026-06-02T00:00")

    assert gaps_in_service([], [OFFICE], LONDON, start, end) == []
    assert gaps_in_service([Gap(start, end)], [], LONDON, start, end) == []


def test_service_hours_are_read_as_the_configuration_writes_them() -> None:
    hours = read_service_hours(
        [
            {"days": ["mon", "tue", "wed", "thu", "fri"], "start": "07:30", "end": "21:30"},
            {"days": ["sat"], "start": "22:00", "end": "06:00"},
        ]
    )

    assert hours == (
        Weekly(WEEKDAYS, time(7, 30), time(21, 30)),
        Weekly(frozenset({5}), time(22), time(6)),
    )


@pytest.mark.parametrize(
    "window",
    [
        pytest.param({"days": ["someday"], "start": "08:00", "end": "17:00"}, id="bad-day"),
        pytest.param({"days": ["mon"], "start": "8 o'clock", "end": "17:00"}, id="bad-time"),
        pytest.param({"days": ["mon"], "start": "08:00"}, id="no-end"),
    ],
)
def test_a_malformed_window_is_named(window: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"service_hours\[1\]"):
        read_service_hours([{"days": ["mon"], "start": "08:00", "end": "17:00"}, window])
