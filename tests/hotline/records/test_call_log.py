"""The call log: who sees which calls, filters, local-day windows, the derived result."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from hotline.models import Counselor, Hotline
from hotline.records.calllog import PAGE_SIZE, CallFilters, call_log_page
from hotline.records.detail import call_view
from hotline.records.scope import Viewer

NOW = datetime(2026, 12, 10, 4, 0, tzinfo=UTC)
ADMIN = Viewer("ada", "admin")


def ids(world: Any, viewer: Viewer, filters: CallFilters | None = None, page: int = 1) -> list[int]:
    with world.database.read() as reading:
        found = call_log_page(reading, viewer, filters or CallFilters(), page, NOW)
    return [row.id for row in found.rows]


def test_a_supervisor_sees_only_calls_of_their_lines_and_another_lines_call_is_not_found(
    world: Any,
) -> None:
    city = world.call("city", NOW - timedelta(hours=5), counselor="wang-li")
    school = world.call("school", NOW - timedelta(hours=5), counselor="he-fang")
    sue = Viewer("sue", "supervisor", line_ids=frozenset({world.ids(Hotline, "city")}))
    assert ids(world, sue) == [city]
    assert set(ids(world, ADMIN)) == {city, school}
    with world.database.read() as reading:
        assert call_view(reading, sue, school, NOW) is None
        assert call_view(reading, sue, city, NOW) is not None


def test_an_overflowed_call_is_seen_by_the_supervisors_of_the_line_that_answered_it(
    world: Any,
) -> None:
    overflowed = world.call(
        "school", NOW - timedelta(hours=5), counselor="wang-li", result="overflowed"
    )
    with world.database.write() as writing:
        from hotline.models import Call

        writing.get(Call, overflowed).answered_line_id = world.ids(Hotline, "city")
    sue = Viewer("sue", "supervisor", line_ids=frozenset({world.ids(Hotline, "city")}))
    assert ids(world, sue) == [overflowed]


def test_a_counselor_sees_only_the_calls_they_took(world: Any) -> None:
    mine = world.call("city", NOW - timedelta(hours=5), counselor="wang-li")
    world.call("city", NOW - timedelta(hours=6), counselor="li-na")
    wang = Viewer("wang", "counselor", counselor_id=world.ids(Counselor, "wang-li"))
    assert ids(world, wang) == [mine]
    assert ids(world, Viewer("op", "operator")) == []


def test_dates_are_whole_days_in_each_lines_own_zone(world: Any) -> None:
    # 2026-12-05 00:30 in Shanghai is still the 4th in UTC; 23:30 in London is the 5th there.
    shanghai_5th = world.call("city", datetime(2026, 12, 4, 16, 30, tzinfo=UTC))
    shanghai_4th = world.call("city", datetime(2026, 12, 4, 15, 30, tzinfo=UTC))
    london_5th = world.call("school", datetime(2026, 12, 5, 23, 30, tzinfo=UTC))
    london_6th = world.call("school", datetime(2026, 12, 6, 0, 30, tzinfo=UTC))
    day = CallFilters(start=date(2026, 12, 5), end=date(2026, 12, 5))
    assert set(ids(world, ADMIN, day)) == {shanghai_5th, london_5th}
    assert shanghai_4th not in ids(world, ADMIN, day)
    assert london_6th not in ids(world, ADMIN, day)


def test_without_dates_the_log_shows_the_last_thirty_days(world: Any) -> None:
    recent = world.call("city", NOW - timedelta(days=29))
    world.call("city", NOW - timedelta(days=31))
    assert ids(world, ADMIN) == [recent]


def test_a_call_still_routing_four_hours_on_shows_its_outcome_as_unknown(world: Any) -> None:
    lost = world.call("city", NOW - timedelta(hours=5), result="routing", ended_at=None)
    live = world.call("city", NOW - timedelta(minutes=2), result="routing", ended_at=None)
    assert ids(world, ADMIN, CallFilters(result="unknown")) == [lost]
    assert ids(world, ADMIN, CallFilters(result="routing")) == [live]


def test_filters_by_line_result_and_counselor_combine(world: Any) -> None:
    wanted = world.call("city", NOW - timedelta(hours=3), counselor="wang-li")
    world.call("city", NOW - timedelta(hours=4), counselor="li-na")
    world.call("city", NOW - timedelta(hours=4))
    world.call("school", NOW - timedelta(hours=4), counselor="he-fang")
    both = CallFilters(line="city", result="answered", counselor="wang-li")
    assert ids(world, ADMIN, both) == [wanted]


def test_pages_hold_fifty_calls_newest_first(world: Any) -> None:
    made = [world.call("city", NOW - timedelta(minutes=n + 1)) for n in range(PAGE_SIZE + 3)]
    assert ids(world, ADMIN) == made[:PAGE_SIZE]
    assert ids(world, ADMIN, page=2) == made[PAGE_SIZE:]
