"""Coverage rules checked against a timeline: each rule, its edges, and DST nights."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rota.history import RotaHistory
from rota.model import LineRota, Override, Pattern, Version, Weekly
from rota.rules import (
    NIGHTS,
    QUALIFIED,
    REST,
    TIER_1,
    WEEKLY,
    CoverageRules,
    LineFacts,
    QualifiedWindow,
    check_rules,
    read_rules,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")
EVERY_DAY = frozenset(range(7))
SAVED = datetime(2020, 1, 1, tzinfo=UTC)


def history(tz: ZoneInfo, *patterns: Pattern, overrides: tuple[Override, ...] = ()) -> RotaHistory:
    return RotaHistory([Version(1, SAVED, LineRota(tz, patterns, overrides))])


def weekly(tier: int, days: frozenset[int], start: str, end: str, *names: str) -> Pattern:
    return Pattern(tier, Weekly(days, time.fromisoformat(start), time.fromisoformat(end)), names)


def local(text: str, tz: ZoneInfo) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=tz).astimezone(UTC)


def check(
    rules: CoverageRules, rota: RotaHistory, tz: ZoneInfo, start: str, days: int, **facts: object
) -> list[tuple[str, str, str, str | None]]:
    """Violations as (rule, local start, local end, counselor), for reading."""
    begin = local(start, tz)
    found = check_rules(rules, rota, LineFacts(tz, **facts), begin, begin + timedelta(days=days))  # type: ignore[arg-type]
    return [
        (v.rule, f"{v.start.astimezone(tz):%m-%d %H:%M}", f"{v.end.astimezone(tz):%m-%d %H:%M}",
         v.counselor)
        for v in found
    ]  # fmt: skip


def test_a_line_without_rules_has_no_violations_whatever_its_rota() -> None:
    empty = history(SHANGHAI)
    assert check(CoverageRules(), empty, SHANGHAI, "2026-12-01T00:00", 28) == []


def test_tier_1_is_checked_within_service_hours_only() -> None:
    days = weekly(1, frozenset({0, 1, 2, 3, 4}), "08:00", "17:00", "ann")
    hours = (Weekly(frozenset({0, 1, 2, 3, 4}), time(7, 30), time(17)),)
    found = check(CoverageRules(tier1_staffed=True), history(SHANGHAI, days), SHANGHAI,
                  "2026-12-07T00:00", 2, service_hours=hours)  # fmt: skip
    assert found == [
        (TIER_1, "12-07 07:30", "12-07 08:00", None),
        (TIER_1, "12-08 07:30", "12-08 08:00", None),
    ]


def test_a_qualification_window_is_broken_where_nobody_on_duty_has_it() -> None:
    rota = history(
        SHANGHAI,
        weekly(1, EVERY_DAY, "08:00", "20:00", "ann"),
        weekly(2, frozenset({1}), "20:00", "23:00", "dr-zhou"),
    )
    wanted = QualifiedWindow("psychiatrist", Weekly(frozenset({1, 3}), time(18), time(22)))
    quals = {"dr-zhou": frozenset({"psychiatrist"}), "ann": frozenset({"counselor"})}
    found = check(CoverageRules(qualified=(wanted,)), rota, SHANGHAI, "2026-12-07T00:00", 7,
                  qualifications=quals)  # fmt: skip
    # Tuesday: nobody 18:00-20:00, then the psychiatrist from 20:00. Thursday: nobody at all.
    assert found == [
        (QUALIFIED, "12-08 18:00", "12-08 20:00", None),
        (QUALIFIED, "12-10 18:00", "12-10 22:00", None),
    ]


def test_moving_between_tiers_without_a_break_is_one_shift_so_no_rest_is_missing() -> None:
    rota = history(
        SHANGHAI,
        weekly(1, EVERY_DAY, "08:00", "12:00", "ann"),
        weekly(2, EVERY_DAY, "12:00", "16:00", "ann"),
    )
    rules = CoverageRules(min_rest=timedelta(hours=11), max_weekly=timedelta(hours=56))
    assert check(rules, rota, SHANGHAI, "2026-12-07T00:00", 7) == []
    shorter = CoverageRules(max_weekly=timedelta(hours=55))
    assert {v[0] for v in check(shorter, rota, SHANGHAI, "2026-12-07T00:00", 7)} == {WEEKLY}


def test_too_little_rest_between_two_shifts_is_reported_over_the_rest() -> None:
    rota = history(
        SHANGHAI,
        weekly(1, frozenset({0}), "08:00", "20:00", "ann"),
        weekly(1, frozenset({1}), "04:00", "12:00", "ann"),
    )
    found = check(CoverageRules(min_rest=timedelta(hours=11)), rota, SHANGHAI,
                  "2026-12-07T00:00", 7)  # fmt: skip
    assert found == [(REST, "12-07 20:00", "12-08 04:00", "ann")]


def test_the_fourth_night_in_a_row_breaks_a_limit_of_three_and_a_day_off_resets_it() -> None:
    nights = weekly(1, frozenset({0, 1, 2, 3, 5}), "20:00", "08:00", "ann")  # no Friday night
    found = check(CoverageRules(max_consecutive_nights=3), history(SHANGHAI, nights), SHANGHAI,
                  "2026-12-07T00:00", 7)  # fmt: skip
    assert found == [(NIGHTS, "12-10 20:00", "12-11 08:00", "ann")]


def test_a_shift_that_touches_the_night_window_without_covering_it_is_not_a_night_shift() -> None:
    late = weekly(1, EVERY_DAY, "18:00", "03:00", "ann")  # ends inside 02:00-05:00
    rules = CoverageRules(max_consecutive_nights=1)
    assert check(rules, history(SHANGHAI, late), SHANGHAI, "2026-12-07T00:00", 7) == []
    own_window = CoverageRules(max_consecutive_nights=1, night=(time(0), time(2)))
    # Every night past the first, from the one running into the window (Sunday 18:00) on.
    found = check(own_window, history(SHANGHAI, late), SHANGHAI, "2026-12-07T00:00", 7)
    assert [v[1] for v in found][:2] == ["12-06 18:00", "12-07 18:00"]
    assert len(found) == 8


def test_weekly_hours_count_local_weeks_from_monday() -> None:
    days = weekly(1, frozenset({0, 1, 2, 3, 4}), "08:00", "18:00", "ann")  # 50 h a week
    found = check(CoverageRules(max_weekly=timedelta(hours=48)), history(SHANGHAI, days),
                  SHANGHAI, "2026-12-09T12:00", 3)  # fmt: skip
    assert found == [(WEEKLY, "12-07 00:00", "12-14 00:00", "ann")]


# DST: the night window and the week are read on the wall clock, hours are elapsed time.
@pytest.mark.parametrize(
    ("tz", "sunday", "hours"),
    [
        pytest.param(LONDON, "2026-03-29", 9, id="london-spring-forward-night-is-9h"),
        pytest.param(LONDON, "2026-10-25", 11, id="london-fall-back-night-is-11h"),
        pytest.param(SYDNEY, "2026-10-04", 9, id="sydney-spring-forward-night-is-9h"),
        pytest.param(SYDNEY, "2026-04-05", 11, id="sydney-fall-back-night-is-11h"),
    ],
)
def test_a_22_to_08_night_counts_its_elapsed_hours_on_dst_nights(
    tz: ZoneInfo, sunday: str, hours: int
) -> None:
    saturday = date.fromisoformat(sunday) - timedelta(days=1)
    night = weekly(1, frozenset({saturday.weekday()}), "22:00", "08:00", "ann")
    # The week of the change holds that one night: allowed exactly its hours, not one less.
    monday = saturday - timedelta(days=saturday.weekday())
    exact = CoverageRules(max_weekly=timedelta(hours=hours))
    assert check(exact, history(tz, night), tz, f"{monday}T00:00", 6) == []
    less = CoverageRules(max_weekly=timedelta(hours=hours - 0.5))
    assert [v[0] for v in check(less, history(tz, night), tz, f"{monday}T00:00", 6)] == [WEEKLY]


def test_the_night_window_of_a_spring_forward_day_moves_forward_by_the_gap() -> None:
    # New York, 2026-03-08: 02:00 does not exist; the window is 03:00-05:00 that day, which a
    # 03:00-08:00 shift covers (and on no other day).
    # Friday night, then Sunday 03:00-08:00: two nights in a row only in the week of the change.
    friday = weekly(1, frozenset({4}), "20:00", "08:00", "ann")
    sunday = weekly(1, frozenset({6}), "03:00", "08:00", "ann")
    found = check(CoverageRules(max_consecutive_nights=1), history(NEW_YORK, friday, sunday),
                  NEW_YORK, "2026-02-23T00:00", 21)  # fmt: skip
    assert found == [(NIGHTS, "03-08 03:00", "03-08 08:00", "ann")]


def test_rules_read_from_the_configuration_form() -> None:
    rules = read_rules(
        {
            "tier1_staffed": True,
            "qualified": [{"qualification": "psychiatrist", "days": ["tue"], "start": "18:00",
                           "end": "22:00"}],
            "max_consecutive_nights": 3,
            "min_rest_hours": 11,
            "max_weekly_hours": 48.5,
            "night": {"start": "01:00", "end": "06:00"},
        }
    )  # fmt: skip
    assert rules.qualified[0].window == Weekly(frozenset({1}), time(18), time(22))
    assert rules.min_rest == timedelta(hours=11)
    assert rules.max_weekly == timedelta(hours=48, minutes=30)
    assert rules.night == (time(1), time(6))
    assert read_rules(None).is_empty


@given(
    offset_hours=st.integers(min_value=0, max_value=24 * 14),
    rest=st.integers(min_value=1, max_value=24),
)
def test_what_is_reported_does_not_move_with_the_window(offset_hours: int, rest: int) -> None:
    """A violation found from one start is found alike from a later one that still overlaps
    it: the coverage-gaps job keys its messages on the violation's bounds."""
    rota = history(
        LONDON,
        weekly(1, frozenset({0, 2, 4}), "20:00", "08:00", "ann"),
        weekly(1, frozenset({1, 3, 5}), "14:00", "22:00", "ann"),
    )
    rules = CoverageRules(min_rest=timedelta(hours=rest), max_consecutive_nights=1,
                          max_weekly=timedelta(hours=30))  # fmt: skip
    facts = LineFacts(LONDON)
    first = datetime(2026, 3, 16, tzinfo=UTC)
    later = first + timedelta(hours=offset_hours)
    end = first + timedelta(days=28)
    early = check_rules(rules, rota, facts, first, end)
    late = check_rules(rules, rota, facts, later, end)
    assert [v for v in early if v.end > later] == late
