"""Who is on duty: patterns added up, overrides, leave, inactivity, gaps and calendar shifts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from rota.coverage import duty_shifts, find_gaps, resolve_timeline, tier_count, tiers_at
from rota.model import (
    Gap,
    Leave,
    LineRota,
    Override,
    Pattern,
    Period,
    Rotation,
    Segment,
    Shift,
    Weekly,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
LONDON = ZoneInfo("Europe/London")
EVERY_DAY = frozenset(range(7))
DAYS = Weekly(EVERY_DAY, time(8), time(20))
NIGHTS = Weekly(EVERY_DAY, time(20), time(8))


def wall(text: str) -> datetime:
    return datetime.fromisoformat(text)


def at(text: str, tz: ZoneInfo = SHANGHAI) -> datetime:
    """The instant of a local wall-clock time (none of these is near a clock change)."""
    return datetime.fromisoformat(text).replace(tzinfo=tz).astimezone(UTC)


# Tier 1: ana and ben by day, chen by night; tier 2: dev all the time. Shanghai time.
DAYS_AND_NIGHTS = LineRota(
    SHANGHAI,
    patterns=(
        Pattern(1, DAYS, ("ana", "ben")),
        Pattern(1, NIGHTS, ("chen",)),
        Pattern(2, Weekly(EVERY_DAY, time(0), time(0)), ("dev",)),
    ),
)


def test_overnight_slot_covers_the_small_hours_of_the_next_day() -> None:
    saturday_night = Pattern(1, Weekly(frozenset({5}), time(22), time(8)), ("ana",))
    rota = LineRota(SHANGHAI, patterns=(saturday_night,))

    assert tiers_at(rota, at("2026-07-05T03:00")) == (("ana",),)  # Sunday 03:00


def test_a_sunday_night_slot_does_not_cover_the_small_hours_of_that_sunday() -> None:
    sunday_night = Pattern(1, Weekly(frozenset({6}), time(22), time(8)), ("ana",))
    rota = LineRota(SHANGHAI, patterns=(sunday_night,))

    assert tiers_at(rota, at("2026-07-05T03:00")) == ((),)  # Sunday 03:00
    assert tiers_at(rota, at("2026-07-06T03:00")) == (("ana",),)  # Monday 03:00


def test_tiers_run_from_one_to_the_highest_used_with_empty_tiers_kept() -> None:
    rota = LineRota(SHANGHAI, patterns=(Pattern(3, DAYS, ("ana",)),))

    assert tier_count(rota) == 3
    assert tiers_at(rota, at("2026-07-01T09:00")) == ((), (), ("ana",))


def test_an_override_in_a_higher_tier_adds_that_tier() -> None:
    override = Override(4, wall("2026-07-01T00:00"), wall("2026-07-02T00:00"), ("eli",))
    rota = replace(DAYS_AND_NIGHTS, overrides=(override,))

    assert tier_count(rota) == 4
    assert tiers_at(rota, at("2026-07-01T09:00")) == (("ana", "ben"), ("dev",), (), ("eli",))
    assert tiers_at(rota, at("2026-07-02T09:00")) == (("ana", "ben"), ("dev",), (), ())


def test_a_rota_without_patterns_has_no_tiers_and_is_one_gap() -> None:
    rota = LineRota(SHANGHAI)
    start, end = at("2026-07-01T00:00"), at("2026-07-02T00:00")

    assert tier_count(rota) == 0
    assert tiers_at(rota, start) == ()
    assert resolve_timeline(rota, start, end) == [Segment(start, end, ())]
    assert find_gaps(resolve_timeline(rota, start, end)) == [Gap(start, end)]


def test_overlapping_patterns_add_up_with_each_counselor_once_in_first_pattern_order() -> None:
    rota = LineRota(
        SHANGHAI,
        patterns=(
            Pattern(1, Weekly(EVERY_DAY, time(12), time(20)), ("chen", "ana")),
            Pattern(1, DAYS, ("ana", "ben", "chen")),
            Pattern(1, Weekly(EVERY_DAY, time(9), time(17)), ("dev", "ben")),
        ),
    )

    assert tiers_at(rota, at("2026-07-01T08:30")) == (("ana", "ben", "chen"),)
    assert tiers_at(rota, at("2026-07-01T10:00")) == (("ana", "ben", "chen", "dev"),)
    # The first pattern (by position) that has them on duty decides their place.
    assert tiers_at(rota, at("2026-07-01T13:00")) == (("chen", "ana", "ben", "dev"),)


def test_a_rotation_adds_its_one_counselor_in_its_pattern_position() -> None:
    rotation = Pattern(1, Rotation(wall("2026-07-01T08:00"), Period(1, "d")), ("eli", "ana"))
    rota = LineRota(SHANGHAI, patterns=(rotation, Pattern(1, DAYS, ("ana", "ben"))))

    assert tiers_at(rota, at("2026-07-01T09:00")) == (("eli", "ana", "ben"),)
    assert tiers_at(rota, at("2026-07-02T09:00")) == (("ana", "ben"),)


def test_an_override_replaces_the_tier_for_its_window() -> None:
    override = Override(1, wall("2026-07-01T10:00"), wall("2026-07-01T12:00"), ("eli",))
    rota = replace(DAYS_AND_NIGHTS, overrides=(override,))

    assert tiers_at(rota, at("2026-07-01T09:59")) == (("ana", "ben"), ("dev",))
    assert tiers_at(rota, at("2026-07-01T10:00")) == (("eli",), ("dev",))
    assert tiers_at(rota, at("2026-07-01T12:00")) == (("ana", "ben"), ("dev",))


def test_the_later_of_two_overlapping_overrides_wins() -> None:
    week = Override(1, wall("2026-07-01T00:00"), wall("2026-07-08T00:00"), ("eli",))
    afternoon = Override(1, wall("2026-07-03T12:00"), wall("2026-07-03T18:00"), ("ben", "ana"))
    rota = replace(DAYS_AND_NIGHTS, overrides=(week, afternoon))
    earlier_wins = replace(DAYS_AND_NIGHTS, overrides=(afternoon, week))

    assert tiers_at(rota, at("2026-07-03T11:00")) == (("eli",), ("dev",))
    assert tiers_at(rota, at("2026-07-03T13:00")) == (("ben", "ana"), ("dev",))
    assert tiers_at(rota, at("2026-07-03T18:00")) == (("eli",), ("dev",))
    assert tiers_at(earlier_wins, at("2026-07-03T13:00")) == (("eli",), ("dev",))


def test_an_override_with_nobody_makes_a_gap() -> None:
    nobody = Override(1, wall("2026-07-01T10:00"), wall("2026-07-01T12:00"), ())
    rota = replace(DAYS_AND_NIGHTS, overrides=(nobody,))

    segments = resolve_timeline(rota, at("2026-07-01T00:00"), at("2026-07-02T00:00"))

    assert find_gaps(segments) == [Gap(at("2026-07-01T10:00"), at("2026-07-01T12:00"))]


def test_an_override_with_an_offset_is_that_instant() -> None:
    utc_morning = Override(1, wall("2026-07-01T02:00+00:00"), wall("2026-07-01T03:00Z"), ("eli",))
    rota = replace(DAYS_AND_NIGHTS, overrides=(utc_morning,))

    assert tiers_at(rota, at("2026-07-01T10:30")) == (("eli",), ("dev",))  # 02:30 UTC


def test_leave_removes_a_counselor_from_every_tier_overrides_included() -> None:
    override = Override(2, wall("2026-07-01T00:00"), wall("2026-07-02T00:00"), ("ana", "dev"))
    leave = Leave("ana", wall("2026-07-01T09:00"), wall("2026-07-01T11:00"))
    rota = replace(DAYS_AND_NIGHTS, overrides=(override,), leave=(leave,))

    assert tiers_at(rota, at("2026-07-01T08:30")) == (("ana", "ben"), ("ana", "dev"))
    assert tiers_at(rota, at("2026-07-01T10:00")) == (("ben",), ("dev",))
    assert tiers_at(rota, at("2026-07-01T11:00")) == (("ana", "ben"), ("ana", "dev"))


def test_overlapping_leave_of_one_counselor_ends_with_the_last_of_it() -> None:
    first = Leave("ana", wall("2026-07-01T09:00"), wall("2026-07-01T12:00"))
    second = Leave("ana", wall("2026-07-01T10:00"), wall("2026-07-01T11:00"))
    rota = replace(DAYS_AND_NIGHTS, leave=(first, second))

    assert tiers_at(rota, at("2026-07-01T11:30")) == (("ben",), ("dev",))
    assert tiers_at(rota, at("2026-07-01T12:00")) == (("ana", "ben"), ("dev",))


def test_an_inactive_counselor_is_never_on_duty_not_even_by_override() -> None:
    override = Override(1, wall("2026-07-01T10:00"), wall("2026-07-01T12:00"), ("ben", "eli"))
    leave = Leave("ben", wall("2026-07-01T10:00"), wall("2026-07-01T11:00"))
    rota = replace(
        DAYS_AND_NIGHTS, overrides=(override,), leave=(leave,), inactive=frozenset({"ben"})
    )

    assert tiers_at(rota, at("2026-07-01T09:00")) == (("ana",), ("dev",))
    assert tiers_at(rota, at("2026-07-01T11:30")) == (("eli",), ("dev",))  # leave over, still out


def test_leave_in_the_spring_gap_starts_after_the_gap() -> None:
    rota = LineRota(
        LONDON,
        patterns=(Pattern(1, Weekly(EVERY_DAY, time(0), time(0)), ("ana", "ben")),),
        leave=(Leave("ana", wall("2026-03-29T01:30"), wall("2026-03-29T04:00")),),
    )
    start = datetime(2026, 3, 29, tzinfo=UTC)

    timeline = resolve_timeline(rota, start, start + timedelta(hours=6))

    assert [(s.start.astimezone(LONDON).strftime("%H:%M"), s.tiers) for s in timeline] == [
        ("00:00", (("ana", "ben"),)),
        ("02:30", (("ben",),)),  # 01:30 does not exist: it moves forward to 02:30 BST
        ("04:00", (("ana", "ben"),)),
    ]


def test_timeline_is_merged_contiguous_and_exactly_the_window() -> None:
    rota = DAYS_AND_NIGHTS
    start, end = at("2026-07-01T06:00"), at("2026-07-02T09:00")

    timeline = resolve_timeline(rota, start, end)

    assert timeline == [
        Segment(start, at("2026-07-01T08:00"), (("chen",), ("dev",))),
        Segment(at("2026-07-01T08:00"), at("2026-07-01T20:00"), (("ana", "ben"), ("dev",))),
        Segment(at("2026-07-01T20:00"), at("2026-07-02T08:00"), (("chen",), ("dev",))),
        Segment(at("2026-07-02T08:00"), end, (("ana", "ben"), ("dev",))),
    ]


def test_an_empty_window_has_no_segments() -> None:
    moment = at("2026-07-01T06:00")

    assert resolve_timeline(DAYS_AND_NIGHTS, moment, moment) == []


def test_a_naive_window_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        resolve_timeline(DAYS_AND_NIGHTS, wall("2026-07-01T00:00"), at("2026-07-02T00:00"))


def test_gaps_are_merged_and_clipped_to_the_window() -> None:
    rota = LineRota(
        SHANGHAI,
        patterns=(
            Pattern(1, Weekly(EVERY_DAY, time(9), time(12)), ("ana",)),
            Pattern(2, Weekly(EVERY_DAY, time(0), time(0)), ("dev",)),
        ),
        overrides=(Override(2, wall("2026-07-01T14:00"), wall("2026-07-01T15:00"), ()),),
    )

    segments = resolve_timeline(rota, at("2026-07-01T10:00"), at("2026-07-02T10:00"))

    # The tier 2 override splits the segments in the afternoon, but not the gap.
    assert find_gaps(segments) == [Gap(at("2026-07-01T12:00"), at("2026-07-02T09:00"))]


def test_duty_shifts_join_back_to_back_slots_and_split_at_overrides_and_leave() -> None:
    rota = LineRota(
        SHANGHAI,
        patterns=(
            Pattern(1, DAYS, ("ana",)),
            Pattern(1, NIGHTS, ("ana", "ben")),
        ),
        overrides=(Override(1, wall("2026-07-01T12:00"), wall("2026-07-01T13:00"), ("ben",)),),
        leave=(Leave("ben", wall("2026-07-02T00:00"), wall("2026-07-02T01:00")),),
    )

    shifts = duty_shifts(resolve_timeline(rota, at("2026-07-01T06:00"), at("2026-07-02T06:00")))

    assert shifts == [
        Shift("ana", 1, at("2026-07-01T06:00"), at("2026-07-01T12:00")),
        Shift("ben", 1, at("2026-07-01T06:00"), at("2026-07-01T08:00")),
        Shift("ben", 1, at("2026-07-01T12:00"), at("2026-07-01T13:00")),
        Shift("ana", 1, at("2026-07-01T13:00"), at("2026-07-02T06:00")),
        Shift("ben", 1, at("2026-07-01T20:00"), at("2026-07-02T00:00")),
        Shift("ben", 1, at("2026-07-02T01:00"), at("2026-07-02T06:00")),
    ]


def test_duty_shifts_break_where_the_segments_do_not_meet() -> None:
    ana = (("ana",),)
    segments = [
        Segment(at("2026-07-01T00:00"), at("2026-07-01T01:00"), ana),
        Segment(at("2026-07-01T02:00"), at("2026-07-01T03:00"), ana),
    ]

    assert duty_shifts(segments) == [
        Shift("ana", 1, at("2026-07-01T00:00"), at("2026-07-01T01:00")),
        Shift("ana", 1, at("2026-07-01T02:00"), at("2026-07-01T03:00")),
    ]


def test_a_tier_below_one_is_refused() -> None:
    rota = LineRota(SHANGHAI, patterns=(Pattern(0, DAYS, ("ana",)),))

    with pytest.raises(ValueError, match="numbered from 1"):
        tier_count(rota)


def test_aware_moments_in_any_zone_are_read_as_instants() -> None:
    plus_eight = timezone(timedelta(hours=8))
    leave = Leave("ana", datetime(2026, 7, 1, 9, tzinfo=plus_eight), wall("2026-07-01T11:00"))
    rota = replace(DAYS_AND_NIGHTS, leave=(leave,))

    assert tiers_at(rota, at("2026-07-01T09:00")) == (("ben",), ("dev",))
