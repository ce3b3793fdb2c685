"""The one DST rule: a gap time moves forward by the gap; an ambiguous one is its first."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from rota.localtime import as_utc, local_day_start, parse_moment, to_instant

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("tz", "wall", "expected_utc", "expected_local"),
    [
        # London's clocks go from 01:00 GMT to 02:00 BST: 01:30 does not exist.
        pytest.param(
            LONDON, "2026-03-29T01:30", "2026-03-29T01:30", "02:30+01:00", id="london-spring-gap"
        ),
        pytest.param(
            LONDON, "2026-10-25T01:30", "2026-10-25T00:30", "01:30+01:00", id="london-autumn-fold"
        ),
        pytest.param(
            NEW_YORK,
            "2026-03-08T02:30",
            "2026-03-08T07:30",
            "03:30-04:00",
            id="new-york-spring-gap",
        ),
        pytest.param(
            NEW_YORK,
            "2026-11-01T01:30",
            "2026-11-01T05:30",
            "01:30-04:00",
            id="new-york-autumn-fold",
        ),
        # Sydney springs forward in October and falls back in April.
        pytest.param(
            SYDNEY, "2026-10-04T02:30", "2026-10-03T16:30", "03:30+11:00", id="sydney-spring-gap"
        ),
        pytest.param(
            SYDNEY, "2026-04-05T02:30", "2026-04-04T15:30", "02:30+11:00", id="sydney-autumn-fold"
        ),
        pytest.param(
            SHANGHAI, "2026-03-29T01:30", "2026-03-28T17:30", "01:30+08:00", id="shanghai-no-change"
        ),
        pytest.param(
            LONDON, "2026-07-01T12:00", "2026-07-01T11:00", "12:00+01:00", id="london-summer-day"
        ),
    ],
)
def test_wall_clock_times_become_instants_by_the_dst_rule(
    tz: ZoneInfo, wall: str, expected_utc: str, expected_local: str
) -> None:
    at = to_instant(datetime.fromisoformat(wall), tz)

    assert at == datetime.fromisoformat(expected_utc).replace(tzinfo=UTC)
    assert at.tzinfo is UTC
    assert at.astimezone(tz).isoformat(timespec="minutes")[11:] == expected_local


@pytest.mark.parametrize(
    ("tz", "day"),
    [
        pytest.param(LONDON, date(2026, 3, 29), id="london-spring"),
        pytest.param(LONDON, date(2026, 10, 25), id="london-autumn"),
        pytest.param(NEW_YORK, date(2026, 3, 8), id="new-york-spring"),
        pytest.param(NEW_YORK, date(2026, 11, 1), id="new-york-autumn"),
        pytest.param(SYDNEY, date(2026, 10, 4), id="sydney-spring"),
        pytest.param(SYDNEY, date(2026, 4, 5), id="sydney-autumn"),
        pytest.param(SHANGHAI, date(2026, 3, 29), id="shanghai"),
    ],
)
def test_every_minute_of_a_change_day_reads_as_zoneinfo_with_fold_zero(
    tz: ZoneInfo, day: date
) -> None:
    wall = datetime.combine(day, time())
    for _ in range(24 * 60):
        expected = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
        assert to_instant(wall, tz) == expected, wall
        assert to_instant(wall.replace(fold=1), tz) == expected, wall
        wall += timedelta(minutes=1)


def test_an_aware_moment_is_that_instant_whatever_the_zone() -> None:
    moment = datetime(2026, 12, 24, 8, tzinfo=timezone(timedelta(hours=8)))

    assert to_instant(moment, LONDON) == datetime(2026, 12, 24, 0, tzinfo=UTC)
    assert to_instant(moment, LONDON).tzinfo is UTC


def test_local_day_start_is_local_midnight_in_utc() -> None:
    assert local_day_start(date(2026, 7, 1), LONDON) == datetime(2026, 6, 30, 23, tzinfo=UTC)
    assert local_day_start(date(2026, 7, 1), SHANGHAI) == datetime(2026, 6, 30, 16, tzinfo=UTC)


def test_local_day_start_moves_forward_when_midnight_is_skipped() -> None:
    havana = ZoneInfo("America/Havana")  # springs forward at midnight: 00:00 becomes 01:00

    start = local_day_start(date(2026, 3, 8), havana)

    assert start.astimezone(havana).isoformat() == "2026-03-08T01:00:00-04:00"


def test_as_utc_refuses_a_naive_datetime() -> None:
    with pytest.raises(ValueError, match="naive"):
        as_utc(datetime.fromisoformat("2026-01-01T00:00"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("2026-12-24T08:00", datetime.fromisoformat("2026-12-24T08:00"), id="naive"),
        pytest.param(
            "2026-12-24T08:00+08:00",
            datetime(2026, 12, 24, 8, tzinfo=timezone(timedelta(hours=8))),
            id="offset",
        ),
        pytest.param("2026-12-24T08:00Z", datetime(2026, 12, 24, 8, tzinfo=UTC), id="zulu"),
        pytest.param(
            "2026-12-24T08:00:30",
            datetime.fromisoformat("2026-12-24T08:00:30"),
            id="seconds",
        ),
    ],
)
def test_parse_moment_reads_wall_clock_and_instants(text: str, expected: datetime) -> None:
    parsed = parse_moment(text)

    assert parsed == expected
    assert (parsed.tzinfo is None) == (expected.tzinfo is None)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("2026-12-24", id="date-only"),
        pytest.param("24/12/2026 08:00", id="not-iso"),
        pytest.param("2026-13-01T08:00", id="no-such-month"),
        pytest.param("2026-12-24T25:00", id="no-such-hour"),
        pytest.param("2026-12-24T08:00 CET", id="zone-abbreviation"),
        pytest.param("", id="empty"),
    ],
)
def test_parse_moment_names_the_bad_text(text: str) -> None:
    with pytest.raises(ValueError, match="is not a") as raised:
        parse_moment(text)

    assert repr(text) in str(raised.value)
