"""`coverage-gaps`: tier-1 gaps of the coming week within service hours, told to operators."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from hotline.config.importer import import_configuration
from hotline.db import Database
from hotline.jobs.coverage_gaps import coverage_gaps
from hotline.jobs.env import JobEnv
from hotline.models import Hotline
from hotline.rota_versions import load_history, versions_from
from tests.conftest import RecordsWorld
from tests.hotline.notices.told import told

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # a Tuesday; London is on UTC in December
EVERY_DAY = "[mon, tue, wed, thu, fri, sat, sun]"


def configure(
    database: Database,
    at: datetime,
    leave: list[tuple[str, str]],
    *,
    hours: str | None = None,
    timezone: str = "Europe/London",
    links: bool = True,
) -> None:
    """Two lines staffed all week by one counselor each; `leave` of north's counselor makes
    north's gaps; `hours` are north's service hours (YAML flow list)."""
    north_hours = f", service_hours: {hours}" if hours else ""
    entries = "".join(
        f'  - {{counselor: ann, start: "{start}", end: "{end}"}}\n' for start, end in leave
    )
    leave_yaml = f"leave:\n{entries}" if leave else "leave: []\n"
    text = f"""\
hotlines:
  - {{key: north, name: North Line, number: "+442079460100", timezone: {timezone},
     language: en, message_links: {str(links).lower()}{north_hours}}}
  - {{key: south, name: South Line, number: "+442079460200", timezone: Europe/London,
     language: en}}
counselors:
  - {{key: ann, name: Ann, phone: "+447911123401"}}
  - {{key: bob, name: Bob, phone: "+447911123402"}}
rota:
  - {{hotline: north, tier: 1, weekly: {{days: {EVERY_DAY}, start: "00:00", end: "00:00"}},
     counselors: [ann]}}
  - {{hotline: south, tier: 1, weekly: {{days: {EVERY_DAY}, start: "00:00", end: "00:00"}},
     counselors: [bob]}}
{leave_yaml}"""
    with database.write() as writing:
        import_configuration(writing, text, at)


def operators(people: RecordsWorld) -> dict[str, str]:
    """Recipient refs: an operator of north, one of every line, one of south only."""
    made = {
        "olga": people.user("olga", "operator", hotlines=("north",), email="olga@example.org"),
        "ursula": people.user("ursula", "operator", phone="+447911123499"),
        "sam": people.user("sam", "operator", hotlines=("south",), email="sam@example.org"),
    }
    return {name: f"user-{user['id']}" for name, user in made.items()}


def stamp(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def gap_occasions(database: Database) -> list[str]:
    return list(dict.fromkeys(t.occasion.split(":", 2)[2] for t in told(database, "coverage-gap")))


def test_a_gap_in_the_coming_week_is_told_once_to_the_operators_of_its_line(
    env: JobEnv, people: RecordsWorld
) -> None:
    configure(env.database, NOW - timedelta(days=30), [("2026-12-03T08:00", "2026-12-03T12:00")])
    refs = operators(people)

    first = coverage_gaps(env, NOW)
    again = coverage_gaps(env, NOW)

    assert first == {"lines": 2, "gaps": 1, "violations": 0, "queued": 2}
    assert again == {"lines": 2, "gaps": 1, "violations": 0, "queued": 0}
    messages = told(env.database, "coverage-gap")
    assert {(t.recipient, t.channel) for t in messages} == {
        (refs["olga"], "email"),
        (refs["ursula"], "sms"),
    }
    span = f"{stamp('2026-12-03T08:00')}-{stamp('2026-12-03T12:00')}"
    assert {t.occasion for t in messages} == {f"coverage-gap:{people.ids(Hotline, 'north')}:{span}"}
    assert not any(t.urgent for t in messages)
    assert "from 12-03 08:00 to 12-03 12:00" in messages[0].body
    assert "https://hotline.example.org/" in messages[0].body


def test_a_gap_within_24_hours_is_urgent_and_one_told_earlier_is_told_again_urgently(
    env: JobEnv, people: RecordsWorld
) -> None:
    configure(env.database, NOW - timedelta(days=30), [("2026-12-03T08:00", "2026-12-03T12:00")])
    operators(people)

    coverage_gaps(env, NOW)
    coverage_gaps(env, datetime(2026, 12, 2, 8, 0, tzinfo=UTC))  # 24 h before: not yet
    near = coverage_gaps(env, datetime(2026, 12, 2, 8, 1, tzinfo=UTC))
    nearer = coverage_gaps(env, datetime(2026, 12, 3, 7, 0, tzinfo=UTC))

    assert (near["queued"], nearer["queued"]) == (2, 0)
    messages = told(env.database, "coverage-gap")
    assert [t.urgent for t in messages] == [False, False, True, True]
    assert {t.occasion.endswith(":urgent") for t in messages if t.urgent} == {True}


def test_a_gap_first_seen_within_24_hours_is_told_once_urgently(
    env: JobEnv, people: RecordsWorld
) -> None:
    configure(env.database, NOW - timedelta(days=30), [("2026-12-01T20:00", "2026-12-01T22:00")])
    operators(people)

    assert coverage_gaps(env, NOW)["queued"] == 2
    assert coverage_gaps(env, NOW + timedelta(hours=1))["queued"] == 0
    assert [t.urgent for t in told(env.database, "coverage-gap")] == [True, True]


def test_a_changed_gap_is_told_again_and_a_removed_one_never(
    env: JobEnv, people: RecordsWorld
) -> None:
    configure(env.database, NOW - timedelta(days=30), [("2026-12-04T08:00", "2026-12-04T12:00")])
    operators(people)
    coverage_gaps(env, NOW)
    later = NOW + timedelta(hours=1)
    configure(env.database, later, [("2026-12-04T08:00", "2026-12-04T13:00")])

    changed = coverage_gaps(env, later)
    configure(env.database, later + timedelta(hours=1), [])
    removed = coverage_gaps(env, later + timedelta(hours=1))

    assert changed["queued"] == 2
    assert removed == {"lines": 2, "gaps": 0, "violations": 0, "queued": 0}
    assert gap_occasions(env.database) == [
        f"{stamp('2026-12-04T08:00')}-{stamp('2026-12-04T12:00')}",
        f"{stamp('2026-12-04T08:00')}-{stamp('2026-12-04T13:00')}",
    ]
    assert "to 12-04 13:00" in told(env.database, "coverage-gap")[-1].body


def test_a_gap_running_now_keeps_its_key_and_is_told_from_now(
    env: JobEnv, people: RecordsWorld
) -> None:
    configure(env.database, NOW - timedelta(days=30), [("2026-12-03T08:00", "2026-12-03T12:00")])
    operators(people)

    during = [coverage_gaps(env, datetime(2026, 12, 3, h, 30, tzinfo=UTC)) for h in (9, 10, 11)]

    assert [run["queued"] for run in during] == [2, 0, 0]
    assert gap_occasions(env.database) == [
        f"{stamp('2026-12-03T08:00')}-{stamp('2026-12-03T12:00')}:urgent"
    ]
    assert "from 12-03 09:30 to 12-03 12:00" in told(env.database, "coverage-gap")[0].body


def test_a_gap_beyond_the_week_is_not_told_until_it_comes_within_it(
    env: JobEnv, people: RecordsWorld
) -> None:
    configure(env.database, NOW - timedelta(days=30), [("2026-12-08T10:00", "2026-12-08T11:00")])
    operators(people)

    assert coverage_gaps(env, datetime(2026, 12, 1, 10, 0, tzinfo=UTC))["gaps"] == 0
    assert coverage_gaps(env, datetime(2026, 12, 1, 10, 1, tzinfo=UTC))["gaps"] == 1


def test_a_gap_outside_the_service_hours_is_not_told_and_one_straddling_them_is_clipped(
    env: JobEnv, people: RecordsWorld
) -> None:
    office = '[{days: [mon, tue, wed, thu, fri], start: "09:00", end: "17:00"}]'
    thursday_morning = ("2026-12-03T07:00", "2026-12-03T10:00")
    saturday = ("2026-12-05T10:00", "2026-12-05T12:00")
    configure(env.database, NOW - timedelta(days=30), [thursday_morning, saturday], hours=office)
    operators(people)

    assert coverage_gaps(env, NOW)["gaps"] == 1
    assert gap_occasions(env.database) == [
        f"{stamp('2026-12-03T09:00')}-{stamp('2026-12-03T10:00')}"
    ]
    assert "from 12-03 09:00 to 12-03 10:00" in told(env.database, "coverage-gap")[0].body


def test_night_service_hours_follow_the_clocks_on_the_fall_back_night_in_london(
    env: JobEnv, people: RecordsWorld
) -> None:
    nights = '[{days: [mon, tue, wed, thu, fri, sat, sun], start: "22:00", end: "06:00"}]'
    whole_day = ("2026-10-24T12:00", "2026-10-25T12:00")
    now = datetime(2026, 10, 22, 12, 0, tzinfo=UTC)
    configure(env.database, now - timedelta(days=30), [whole_day], hours=nights)
    operators(people)

    coverage_gaps(env, now)

    # 22:00 BST is 21:00 UTC; 06:00 GMT is 06:00 UTC: a nine-hour night.
    assert gap_occasions(env.database) == [
        f"{stamp('2026-10-24T21:00')}-{stamp('2026-10-25T06:00')}"
    ]
    assert "from 10-24 22:00 to 10-25 06:00" in told(env.database, "coverage-gap")[0].body


def test_service_hours_starting_in_the_skipped_hour_in_new_york_start_when_the_clock_resumes(
    env: JobEnv, people: RecordsWorld
) -> None:
    early = '[{days: [sun], start: "02:30", end: "05:00"}]'
    now = datetime(2026, 3, 5, 12, 0, tzinfo=UTC)
    configure(
        env.database,
        now - timedelta(days=30),
        [("2026-03-07T12:00", "2026-03-09T12:00")],
        hours=early,
        timezone="America/New_York",
    )
    operators(people)

    coverage_gaps(env, now)

    # 8 March 2026: 02:30 does not exist; the window opens at 03:30 EDT (07:30 UTC).
    assert gap_occasions(env.database) == [
        f"{stamp('2026-03-08T07:30')}-{stamp('2026-03-08T09:00')}"
    ]
    assert "from 03-08 03:30 to 03-08 05:00" in told(env.database, "coverage-gap")[0].body


def test_a_line_whose_texts_carry_no_links_is_told_without_one(
    env: JobEnv, people: RecordsWorld
) -> None:
    leave = [("2026-12-03T08:00", "2026-12-03T12:00")]
    configure(env.database, NOW - timedelta(days=30), leave, links=False)
    operators(people)

    coverage_gaps(env, NOW)

    bodies = [t.body for t in told(env.database, "coverage-gap")]
    assert bodies
    assert not any("https://" in body for body in bodies)


def test_a_line_with_no_rota_at_all_is_told_once_with_open_bounds(
    env: JobEnv, people: RecordsWorld
) -> None:
    text = """\
hotlines:
  - {key: north, name: North Line, number: "+442079460100", timezone: Europe/London}
  - {key: south, name: South Line, number: "+442079460200", timezone: Europe/London}
"""
    with env.database.write() as writing:
        import_configuration(writing, text, NOW)
    operators(people)

    runs = [coverage_gaps(env, NOW + timedelta(hours=h)) for h in (0, 1, 24)]

    assert [run["queued"] for run in runs] == [4, 0, 0]  # north's two, south's two
    assert [t.occasion.split(":", 2)[2] for t in told(env.database, "coverage-gap")] == [
        "open-open:urgent"
    ] * 4


def test_nothing_is_queued_where_tier_1_is_always_staffed(
    env: JobEnv, people: RecordsWorld
) -> None:
    configure(env.database, NOW - timedelta(days=30), [])
    operators(people)

    assert coverage_gaps(env, NOW) == {"lines": 2, "gaps": 0, "violations": 0, "queued": 0}
    assert told(env.database, "coverage-gap") == []


def test_the_versions_read_for_the_scan_answer_it_as_the_whole_history_does(
    env: JobEnv,
) -> None:
    for days_back, until in ((40, "13:00"), (20, "14:00"), (3, "15:00"), (0, "12:00")):
        leave = [("2026-12-04T08:00", f"2026-12-04T{until}")]
        configure(env.database, NOW - timedelta(days=days_back), leave)
    start, end = NOW - timedelta(days=7), NOW + timedelta(days=14)

    with env.database.read() as reading:
        north = reading.scalars(select(Hotline.id).where(Hotline.key == "north")).one()
        whole = load_history(reading, north)
        read = versions_from(reading, north, start)

    assert len(whole.versions) == 4
    assert len(read.versions) == 3  # the one in force a week ago, and the two after it
    assert read.gaps(start, end) == whole.gaps(start, end)
