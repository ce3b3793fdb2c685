"""Follow-up care in the statistics: bookings and referrals made on the question's lines over
its days, each line's own days; none of them linked."""

from __future__ import annotations

from datetime import date

from hotline.records.scope import Viewer
from hotline.records.statistics import statistics
from hotline.records.statistics_question import ask
from tests.conftest import RecordsWorld
from tests.hotline.records.follow_up_world import some_follow_up
from tests.hotline.records.statistics_world import NOW

DECEMBER = (date(2026, 12, 1), date(2026, 12, 10))


def test_bookings_and_referrals_count_on_each_lines_own_days(world: RecordsWorld) -> None:
    some_follow_up(world)
    with world.database.read() as reading:
        every = statistics(reading, ask(reading, Viewer("ann", "admin"), (), *DECEMBER), NOW)
        city = statistics(reading, ask(reading, Viewer("ann", "admin"), ("city",), *DECEMBER), NOW)

    assert every.follow_up.appointments == {
        "booked": 7,
        "attended": 2,
        "missed": 2,
        "cancelled": 1,
        "open": 2,
    }
    assert city.follow_up.appointments["booked"] == 5
    assert every.follow_up.referrals_by("partner") == [("kangning", 4)]
    assert every.follow_up.referrals_by("urgency") == [("routine", 1), ("72h", 2), ("today", 1)]
    assert dict(city.follow_up.referrals_by("result")) == {
        "proposed": 0,
        "sent": 1,
        "accepted": 0,
        "attended": 1,
        "declined": 1,
        "lost": 0,
    }
    assert every.as_contract()["follow_up"]["referrals"]["total"] == 4
