"""`daily-summary`: yesterday per line, in the line's own zone, in counts, to its supervisors."""

from __future__ import annotations

from datetime import UTC, datetime

from hotline.jobs.daily_summary import DayCounts, count_day, daily_summary
from hotline.jobs.env import JobEnv
from hotline.models import CallOutcome, Counselor, Hotline
from tests.conftest import RecordsWorld
from tests.hotline.notices.told import told


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def record_outcome(world: RecordsWorld, call_id: int, risk: str) -> None:
    at = utc("2026-12-02T00:00")
    with world.database.write() as writing:
        writing.add(
            CallOutcome(
                call_id=call_id,
                counselor_id=world.ids(Counselor, "wang-li"),
                call_type="counseling",
                topics=[],
                risk=risk,
                actions=[],
                recorded_at=at,
                updated_at=at,
            )
        )


def city_day(world: RecordsWorld) -> None:
    """Calls around 1 December 2026 in Shanghai (UTC+8): that day is 11-30 16:00 to 12-01
    16:00 UTC."""
    world.call("city", utc("2026-11-30T15:59"), counselor="wang-li")  # 30 Nov, 23:59 there
    first = world.call("city", utc("2026-11-30T16:00"), counselor="wang-li")
    record_outcome(world, first, "high")
    world.call("city", utc("2026-12-01T03:00"), counselor="li-na")  # no outcome yet
    low = world.call("city", utc("2026-12-01T04:00"), counselor="wang-li")
    record_outcome(world, low, "low")
    world.call("city", utc("2026-12-01T05:00"), result="fallback")
    world.call("city", utc("2026-12-01T06:00"), result="error", ended_at=None)  # spooled
    world.call("city", utc("2026-12-01T07:00"))  # missed: the closing message
    world.call("city", utc("2026-12-01T08:00"), result="abandoned")
    last = world.call("city", utc("2026-12-01T15:59"), counselor="li-na")
    record_outcome(world, last, "imminent")
    world.call("city", utc("2026-12-01T16:00"), counselor="wang-li")  # 2 Dec there
    world.call("school", utc("2026-12-01T10:00"), counselor="he-fang")  # another line


def test_the_counts_are_of_the_calls_that_arrived_on_the_line_that_local_day(
    world: RecordsWorld,
) -> None:
    city_day(world)
    city = world.ids(Hotline, "city")

    with world.database.read() as reading:
        counts = count_day(reading, city, utc("2026-11-30T16:00"), utc("2026-12-01T16:00"))

    assert counts == DayCounts(calls=8, taken=4, fallback=2, closing=1, high_risk=2, missing=1)


def test_supervisors_hear_of_yesterday_once_their_line_has_passed_seven_in_the_morning(
    env: JobEnv, world: RecordsWorld
) -> None:
    city_day(world)
    sue = world.user("sue", "supervisor", hotlines=("city",), email="sue@example.org")
    tom = world.user("tom", "supervisor", hotlines=("school",), email="tom@example.org")
    world.user("olga", "operator", email="olga@example.org")

    before = daily_summary(env, utc("2026-12-01T22:59"))  # 06:59 on 2 Dec in Shanghai
    at_seven = daily_summary(env, utc("2026-12-01T23:00"))
    again = daily_summary(env, utc("2026-12-01T23:00"))
    later = daily_summary(env, utc("2026-12-02T06:00"))  # 14:00 there, 06:00 in London

    assert before == {"summaries": 1, "queued": 1}  # London's 30 November (22:59 there)
    assert at_seven == {"summaries": 1, "queued": 1}
    assert again == later == {"summaries": 0, "queued": 0}
    city, school = world.ids(Hotline, "city"), world.ids(Hotline, "school")
    assert [(t.occasion, t.recipient) for t in told(env.database, "daily-summary")] == [
        (f"daily-summary:{school}:2026-11-30", f"user-{tom['id']}"),
        (f"daily-summary:{city}:2026-12-01", f"user-{sue['id']}"),
    ]
    message = told(env.database, "daily-summary")[1]
    assert not message.urgent
    # Sue chose no language: the line's. Counts only, and a link to the call log.
    assert message.body == (
        "【热线】慈溪市心理援助热线 2026-12-01：来电 8，咨询师接听 4，转备用线 2，"
        "结束语 1，高风险 2，未填结果 1。https://hotline.example.org/calls"
    )


def test_a_london_day_is_25_hours_long_when_the_clocks_go_back(
    env: JobEnv, world: RecordsWorld
) -> None:
    world.user("tom", "supervisor", hotlines=("school",), email="tom@example.org")
    world.call("school", utc("2026-10-24T22:59"))  # 23:59 BST on the 24th
    world.call("school", utc("2026-10-24T23:00"))  # midnight BST: the 25th begins
    world.call("school", utc("2026-10-25T23:59"))  # 23:59 GMT, 25 hours later: still the 25th
    world.call("school", utc("2026-10-26T00:00"))  # the 26th

    assert daily_summary(env, utc("2026-10-26T06:59"))["queued"] == 0
    assert daily_summary(env, utc("2026-10-26T07:00"))["queued"] == 1

    school = world.ids(Hotline, "school")
    (message,) = told(env.database, "daily-summary")
    assert message.occasion == f"daily-summary:{school}:2026-10-25"
    assert "[Hotline] Sunshine School Line 2026-10-25: calls 2, taken by a counselor 0," in (
        message.body
    )


def test_a_line_without_supervisors_is_told_to_nobody(env: JobEnv, world: RecordsWorld) -> None:
    world.call("city", utc("2026-12-01T03:00"), counselor="li-na")
    world.user("olga", "operator", email="olga@example.org")

    assert daily_summary(env, utc("2026-12-02T00:00")) == {"summaries": 0, "queued": 0}
    assert told(env.database, "daily-summary") == []


def test_a_supervisor_added_later_that_morning_is_told_and_the_others_not_again(
    env: JobEnv, world: RecordsWorld
) -> None:
    world.user("sue", "supervisor", hotlines=("city",), email="sue@example.org")
    daily_summary(env, utc("2026-12-01T23:00"))
    ann = world.user("ann", "supervisor", phone="+8613900000098")  # every line

    later = daily_summary(env, utc("2026-12-02T01:00"))

    assert later == {"summaries": 1, "queued": 1}
    assert told(env.database, "daily-summary")[-1].recipient == f"user-{ann['id']}"
