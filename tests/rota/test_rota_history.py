"""Rota versions: each instant is answered by the version in force then, so the past stays."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from rota.history import RotaHistory
from rota.model import Gap, LineRota, Pattern, Segment, Version, Weekly

SHANGHAI = ZoneInfo("Asia/Shanghai")
ALWAYS = Weekly(frozenset(range(7)), time(0), time(0))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def everyone(*names: str, tier: int = 1) -> LineRota:
    return LineRota(SHANGHAI, patterns=(Pattern(tier, ALWAYS, names),))


def test_an_edit_never_changes_the_past() -> None:
    first = Version(1, at("2026-07-01T00:00"), everyone("ana"))
    before_edit = RotaHistory([first])
    after_edit = RotaHistory([first, Version(2, at("2026-07-10T12:00"), everyone("ben"))])

    for instant in (at("2026-07-01T00:00"), at("2026-07-05T03:10"), at("2026-07-10T11:59")):
        assert after_edit.tiers_at(instant) == before_edit.tiers_at(instant) == (("ana",),)
    assert after_edit.tiers_at(at("2026-07-10T12:00")) == (("ben",),)


def test_before_the_first_version_nobody_is_on_duty() -> None:
    history = RotaHistory([Version(1, at("2026-07-01T00:00"), everyone("ana"))])

    assert history.tiers_at(at("2026-06-30T23:59")) == ()
    assert history.tier_count_at(at("2026-06-30T23:59")) == 0
    assert history.version_at(at("2026-06-30T23:59")) is None
    assert history.gaps(at("2026-06-30T00:00"), at("2026-07-02T00:00")) == [
        Gap(at("2026-06-30T00:00"), at("2026-07-01T00:00"))
    ]


def test_a_history_without_versions_is_one_gap() -> None:
    history = RotaHistory([])
    start, end = at("2026-07-01T00:00"), at("2026-07-02T00:00")

    assert history.timeline(start, end) == [Segment(start, end, ())]
    assert history.gaps(start, end) == [Gap(start, end)]


def test_the_timeline_splits_at_each_save_and_merges_what_did_not_change() -> None:
    history = RotaHistory(
        [
            Version(3, at("2026-07-03T00:00"), everyone("ben", tier=2)),
            Version(1, at("2026-07-01T00:00"), everyone("ana")),
            Version(2, at("2026-07-02T00:00"), everyone("ana")),  # saved again, no change
        ]
    )

    timeline = history.timeline(at("2026-06-30T12:00"), at("2026-07-04T00:00"))

    assert timeline == [
        Segment(at("2026-06-30T12:00"), at("2026-07-01T00:00"), ()),
        Segment(at("2026-07-01T00:00"), at("2026-07-03T00:00"), (("ana",),)),
        Segment(at("2026-07-03T00:00"), at("2026-07-04T00:00"), ((), ("ben",))),
    ]
    assert history.tier_count_at(at("2026-07-03T00:00")) == 2
    assert history.gaps(at("2026-07-02T00:00"), at("2026-07-04T00:00")) == [
        Gap(at("2026-07-03T00:00"), at("2026-07-04T00:00"))
    ]


def test_two_versions_saved_at_the_same_instant_the_higher_number_wins() -> None:
    saved_at = at("2026-07-01T00:00")
    history = RotaHistory(
        [Version(8, saved_at, everyone("ben")), Version(7, saved_at, everyone("ana"))]
    )

    assert history.tiers_at(saved_at) == (("ben",),)
    assert history.timeline(saved_at, saved_at + timedelta(hours=1))[0].tiers == (("ben",),)


def test_an_instant_in_any_zone_finds_its_version() -> None:
    history = RotaHistory([Version(1, at("2026-07-01T00:00"), everyone("ana"))])
    eight_in_shanghai = datetime(2026, 7, 1, 8, tzinfo=SHANGHAI)  # 00:00 UTC

    assert history.tiers_at(eight_in_shanghai) == (("ana",),)
    assert history.tiers_at(eight_in_shanghai - timedelta(microseconds=1)) == ()


def test_a_naive_saved_at_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        RotaHistory([Version(1, datetime.fromisoformat("2026-07-01T00:00"), everyone("ana"))])
