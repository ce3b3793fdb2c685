"""Weekly slots and rotation turns, expanded to UTC duties across clock changes."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from rota.model import Pattern, Period, Rotation, Weekly
from rota.shifts import Stint, expand_pattern

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
SHANGHAI = ZoneInfo("Asia/Shanghai")
EVERY_DAY = frozenset(range(7))
HOUR = timedelta(hours=1)


def wall(text: str) -> datetime:
    """A naive wall-clock moment, as the configuration file writes it."""
    return datetime.fromisoformat(text)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def local_span(tz: ZoneInfo, first: date, last: date) -> tuple[datetime, datetime]:
    """From local midnight of `first` to local midnight after `last`, in UTC."""
    start = datetime.combine(first, time(), tzinfo=tz).astimezone(UTC)
    return start, datetime.combine(last + timedelta(days=1), time(), tzinfo=tz).astimezone(UTC)


def night_starting(tz: ZoneInfo, day: date) -> Stint:
    pattern = Pattern(1, Weekly(EVERY_DAY, time(22), time(8)), ("ana",))
    duties = expand_pattern(pattern, tz, *local_span(tz, day, day + timedelta(days=1)))
    return next(d for d in duties if d.start.astimezone(tz).date() == day)


@pytest.mark.parametrize(
    ("tz", "evening"),
    [
        pytest.param(LONDON, date(2026, 3, 28), id="london"),
        pytest.param(NEW_YORK, date(2026, 3, 7), id="new-york"),
        pytest.param(SYDNEY, date(2026, 10, 3), id="sydney-in-october"),
    ],
)
def test_night_shift_is_nine_hours_on_spring_forward_night(tz: ZoneInfo, evening: date) -> None:
    night = night_starting(tz, evening)

    assert night.end - night.start == 9 * HOUR
    assert night.start.astimezone(tz).time() == time(22)
    assert night.end.astimezone(tz).time() == time(8)


@pytest.mark.parametrize(
    ("tz", "evening"),
    [
        pytest.param(LONDON, date(2026, 10, 24), id="london"),
        pytest.param(NEW_YORK, date(2026, 10, 31), id="new-york"),
        pytest.param(SYDNEY, date(2026, 4, 4), id="sydney-in-april"),
    ],
)
def test_night_shift_is_eleven_hours_on_fall_back_night(tz: ZoneInfo, evening: date) -> None:
    night = night_starting(tz, evening)

    assert night.end - night.start == 11 * HOUR
    assert night.start.astimezone(tz).time() == time(22)
    assert night.end.astimezone(tz).time() == time(8)


@pytest.mark.parametrize(
    "evening",
    [
        pytest.param(date(2026, 3, 28), id="europe-spring-night"),
        pytest.param(date(2026, 10, 24), id="europe-autumn-night"),
        pytest.param(date(2026, 4, 4), id="sydney-autumn-night"),
    ],
)
def test_night_shift_is_ten_hours_in_shanghai_on_any_night(evening: date) -> None:
    night = night_starting(SHANGHAI, evening)

    assert night.end - night.start == 10 * HOUR


def test_a_24_hour_slot_lasts_25_hours_over_the_fall_back_night() -> None:
    pattern = Pattern(1, Weekly(frozenset({5}), time(8), time(8)), ("ana",))  # Saturdays

    [duty] = expand_pattern(
        pattern, LONDON, *local_span(LONDON, date(2026, 10, 24), date(2026, 10, 25))
    )

    assert duty.end - duty.start == 25 * HOUR


def test_a_slot_inside_the_spring_gap_moves_forward_with_its_length_kept() -> None:
    pattern = Pattern(1, Weekly(frozenset({6}), time(1, 15), time(1, 45)), ("ana",))

    [duty] = expand_pattern(
        pattern, LONDON, *local_span(LONDON, date(2026, 3, 29), date(2026, 3, 29))
    )

    assert (duty.start, duty.end) == (utc("2026-03-29T01:15"), utc("2026-03-29T01:45"))
    assert duty.start.astimezone(LONDON).time() == time(2, 15)


def test_a_slot_that_the_spring_gap_turns_inside_out_is_dropped() -> None:
    # 01:30 moves forward to 02:30 BST, after the (real) 02:10 end: no time left for the slot.
    pattern = Pattern(1, Weekly(frozenset({6}), time(1, 30), time(2, 10)), ("ana",))

    assert (
        expand_pattern(pattern, LONDON, *local_span(LONDON, date(2026, 3, 29), date(2026, 3, 29)))
        == []
    )


DAILY_CHANGES = [
    pytest.param(LONDON, date(2026, 3, 20), 1, id="london-spring"),
    pytest.param(LONDON, date(2026, 10, 20), 1, id="london-autumn"),
    pytest.param(NEW_YORK, date(2026, 3, 1), 1, id="new-york-spring"),
    pytest.param(NEW_YORK, date(2026, 10, 25), 1, id="new-york-autumn"),
    pytest.param(SYDNEY, date(2026, 9, 28), 1, id="sydney-spring-october"),
    pytest.param(SYDNEY, date(2026, 3, 30), 1, id="sydney-autumn-april"),
    pytest.param(SHANGHAI, date(2026, 3, 20), 0, id="shanghai-control"),
]


@pytest.mark.parametrize(("tz", "first", "uneven"), DAILY_CHANGES)
def test_daily_rotation_hands_over_at_eight_local_across_the_change(
    tz: ZoneInfo, first: date, uneven: int
) -> None:
    shape = Rotation(datetime.combine(first, time(8)), Period(1, "d"))
    pattern = Pattern(2, shape, ("ana", "ben", "chen"))

    duties = expand_pattern(pattern, tz, *local_span(tz, first, first + timedelta(days=13)))

    assert [duty.start.astimezone(tz).time() for duty in duties] == [time(8)] * len(duties)
    assert [duty.counselors[0] for duty in duties[:4]] == ["ana", "ben", "chen", "ana"]
    for before, after in itertools.pairwise(duties):
        assert before.end == after.start
    lengths = {duty.end - duty.start for duty in duties[:-1]}
    assert len(lengths) == 1 + uneven  # 24 h, and 23 h or 25 h where the clocks change


def test_daily_handover_in_the_spring_gap_moves_forward_that_day_only() -> None:
    shape = Rotation(wall("2026-03-06T02:30"), Period(1, "d"))
    pattern = Pattern(1, shape, ("ana", "ben"))

    duties = expand_pattern(
        pattern, NEW_YORK, *local_span(NEW_YORK, date(2026, 3, 7), date(2026, 3, 9))
    )
    handovers = [duty.start.astimezone(NEW_YORK).strftime("%d %H:%M") for duty in duties]

    assert handovers[1:] == ["07 02:30", "08 03:30", "09 02:30"]


HOURLY_CHANGES = [
    pytest.param(LONDON, date(2026, 3, 29), 23, id="london-spring-23-turns"),
    pytest.param(LONDON, date(2026, 10, 25), 25, id="london-autumn-25-turns"),
    pytest.param(NEW_YORK, date(2026, 11, 1), 25, id="new-york-autumn-25-turns"),
    pytest.param(SYDNEY, date(2026, 10, 4), 23, id="sydney-spring-23-turns"),
    pytest.param(SHANGHAI, date(2026, 10, 25), 24, id="shanghai-24-turns"),
]


@pytest.mark.parametrize(("tz", "day", "turns"), HOURLY_CHANGES)
def test_hourly_rotation_counts_elapsed_hours_through_the_change(
    tz: ZoneInfo, day: date, turns: int
) -> None:
    shape = Rotation(datetime.combine(day - timedelta(days=1), time(0)), Period(1, "h"))
    pattern = Pattern(1, shape, ("ana", "ben", "chen"))

    duties = expand_pattern(pattern, tz, *local_span(tz, day, day))
    inside = [duty for duty in duties if duty.start.astimezone(tz).date() == day]

    assert len(inside) == turns
    assert {duty.end - duty.start for duty in duties} == {HOUR}
    names = [duty.counselors[0] for duty in duties]
    assert names == [("ana", "ben", "chen")[(n + 24) % 3] for n in range(len(names))]


def test_a_window_that_begins_inside_a_night_slot_finds_the_slot_of_the_day_before() -> None:
    pattern = Pattern(1, Weekly(frozenset({5}), time(22), time(8)), ("ana",))  # Saturday nights

    [duty] = expand_pattern(pattern, LONDON, utc("2026-07-05T02:00"), utc("2026-07-05T03:00"))

    assert duty.start == utc("2026-07-04T21:00")  # Saturday 22:00 BST


def test_weekly_validity_is_about_the_day_a_slot_starts() -> None:
    shape = Weekly(EVERY_DAY, time(22), time(8))
    pattern = Pattern(1, shape, ("ana",), valid_from=date(2026, 7, 7), valid_until=date(2026, 7, 8))

    duties = expand_pattern(
        pattern, SHANGHAI, *local_span(SHANGHAI, date(2026, 7, 6), date(2026, 7, 10))
    )

    local = [(d.start.astimezone(SHANGHAI), d.end.astimezone(SHANGHAI)) for d in duties]
    assert [(s.strftime("%d %H"), e.strftime("%d %H")) for s, e in local] == [
        ("07 22", "08 08"),
        ("08 22", "09 08"),  # starts on the last valid day, so it runs to its end
    ]


def test_rotation_is_clipped_to_its_validity_days() -> None:
    shape = Rotation(wall("2026-07-01T08:00"), Period(1, "d"))
    pattern = Pattern(
        1, shape, ("ana", "ben"), valid_from=date(2026, 7, 3), valid_until=date(2026, 7, 4)
    )

    duties = expand_pattern(
        pattern, SHANGHAI, *local_span(SHANGHAI, date(2026, 7, 1), date(2026, 7, 8))
    )

    assert [(d.start, d.end, d.counselors) for d in duties] == [
        (utc("2026-07-02T16:00"), utc("2026-07-03T00:00"), ("ben",)),  # from 3 July 00:00 local
        (utc("2026-07-03T00:00"), utc("2026-07-04T00:00"), ("ana",)),
        (utc("2026-07-04T00:00"), utc("2026-07-04T16:00"), ("ben",)),  # until 5 July 00:00 local
    ]


def test_nobody_is_on_a_rotation_before_its_first_handover() -> None:
    pattern = Pattern(1, Rotation(wall("2026-07-01T08:00"), Period(12, "h")), ("ana", "ben"))

    assert expand_pattern(pattern, SHANGHAI, utc("2026-06-01T00:00"), utc("2026-07-01T00:00")) == []
    [first] = expand_pattern(pattern, SHANGHAI, utc("2026-06-30T00:00"), utc("2026-07-01T01:00"))
    assert first == Stint(utc("2026-07-01T00:00"), utc("2026-07-01T12:00"), ("ana",))


@pytest.mark.parametrize(
    ("every", "at", "expected_turn"),
    [
        # 2020-01-06 to 2031-07-15 is 4208 local days.
        pytest.param(Period(1, "d"), utc("2031-07-15T11:00"), 4208, id="daily-after-the-handover"),
        pytest.param(Period(1, "d"), utc("2031-07-15T06:00"), 4207, id="daily-before-the-handover"),
        pytest.param(Period(3, "d"), utc("2031-07-15T11:00"), 4208 // 3, id="every-three-days"),
        # From 2020-01-06 08:00 GMT to 2031-07-15 11:00 UTC: 4208 days and 3 hours.
        pytest.param(
            Period(5, "h"), utc("2031-07-15T11:00"), (4208 * 24 + 3) // 5, id="every-5-hours"
        ),
    ],
)
def test_a_rotation_years_old_finds_the_turn_by_arithmetic(
    every: Period, at: datetime, expected_turn: int
) -> None:
    names = tuple(f"c{n}" for n in range(7))
    pattern = Pattern(1, Rotation(wall("2020-01-06T08:00"), every), names)

    [duty] = expand_pattern(pattern, LONDON, at, at + timedelta(minutes=1))

    assert duty.counselors == (names[expected_turn % 7],)
    assert duty.start <= at < duty.end


def test_a_rotation_without_counselors_has_no_duties() -> None:
    pattern = Pattern(1, Rotation(wall("2026-07-01T08:00"), Period(1, "d")), ())

    assert expand_pattern(pattern, LONDON, utc("2026-07-01T00:00"), utc("2026-08-01T00:00")) == []


def test_a_rotation_that_never_hands_over_is_refused() -> None:
    pattern = Pattern(1, Rotation(wall("2026-07-01T08:00"), Period(0, "h")), ("ana",))

    with pytest.raises(ValueError, match="at least 1"):
        expand_pattern(pattern, LONDON, utc("2026-07-01T00:00"), utc("2026-08-01T00:00"))
