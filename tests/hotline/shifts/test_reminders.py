"""Shift reminders: 12 hours before each shift, once, in the counselor's language, with the
line's wall-clock times; across DST changes in zones whose changes fall in opposite months."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hotline.db import Database
from hotline.jobs.shift_reminders import shift_reminders
from hotline.shifts.reminders import LEAD
from settings import Settings
from tests.hotline.shifts.rotas import account, configuration, job_env, load, outbox, weekly


@dataclass(frozen=True)
class Case:
    zone: str
    day: str  # the local date of the shift
    start: str  # as written in the rota
    end: str
    due: datetime  # 12 h before the real start instant, UTC
    says: str  # the start as the text gives it, on the line's wall clock


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# 2026: London springs forward on 29 March and falls back on 25 October; Sydney falls back on
# 5 April and springs forward on 4 October; New York on 8 March and 1 November.
CASES = {
    # Due in the repeated hour: 12 h before, the clocks show an hour that happens twice.
    "london-due-in-repeated-hour": Case(
        "Europe/London", "2026-10-25", "13:30", "18:00", utc("2026-10-25T01:30"), "10-25 13:30"
    ),
    "sydney-due-in-repeated-hour": Case(
        "Australia/Sydney", "2026-04-05", "14:30", "18:00", utc("2026-04-04T16:30"), "04-05 14:30"
    ),
    "new-york-due-in-repeated-hour": Case(
        "America/New_York", "2026-11-01", "13:30", "18:00", utc("2026-11-01T06:30"), "11-01 13:30"
    ),
    # Due in the skipped hour: the wall clock 12 h before (01:30 or 02:30) never shows.
    "london-due-in-skipped-hour": Case(
        "Europe/London", "2026-03-29", "13:30", "18:00", utc("2026-03-29T00:30"), "03-29 13:30"
    ),
    "sydney-due-in-skipped-hour": Case(
        "Australia/Sydney", "2026-10-04", "14:30", "18:00", utc("2026-10-03T15:30"), "10-04 14:30"
    ),
    "new-york-due-in-skipped-hour": Case(
        "America/New_York", "2026-03-08", "14:30", "18:00", utc("2026-03-08T06:30"), "03-08 14:30"
    ),
    # Starts in the skipped hour: the shift moves forward by the gap, and so does the text.
    "london-starts-in-skipped-hour": Case(
        "Europe/London", "2026-03-29", "01:30", "06:00", utc("2026-03-28T13:30"), "03-29 02:30"
    ),
    "sydney-starts-in-skipped-hour": Case(
        "Australia/Sydney", "2026-10-04", "02:30", "06:00", utc("2026-10-03T04:30"), "10-04 03:30"
    ),
    "new-york-starts-in-skipped-hour": Case(
        "America/New_York", "2026-03-08", "02:30", "06:00", utc("2026-03-07T19:30"), "03-08 03:30"
    ),
    # Starts in the repeated hour: its first occurrence, reminded of once.
    "london-starts-in-repeated-hour": Case(
        "Europe/London", "2026-10-25", "01:30", "06:00", utc("2026-10-24T12:30"), "10-25 01:30"
    ),
    "sydney-starts-in-repeated-hour": Case(
        "Australia/Sydney", "2026-04-05", "02:30", "06:00", utc("2026-04-04T03:30"), "04-05 02:30"
    ),
    "new-york-starts-in-repeated-hour": Case(
        "America/New_York", "2026-11-01", "01:30", "06:00", utc("2026-10-31T17:30"), "11-01 01:30"
    ),
}


def weekday(day: str) -> str:
    return datetime.fromisoformat(day).strftime("%a").lower()


def run_every(env: Any, first: datetime, last: datetime, step: timedelta) -> None:
    at = first
    while at <= last:
        shift_reminders(env, at)
        at += step


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_a_shift_is_reminded_of_once_twelve_hours_before_its_real_start(
    database: Database, settings: Settings, case: Case
) -> None:
    rota = weekly(weekday(case.day), case.start, case.end, "amy", on=case.day)
    load(database, configuration(case.zone, rota), case.due - timedelta(days=2))
    # Every 10 minutes through the night of the change, UTC instants as the scheduler runs.
    run_every(
        job_env(database, settings),
        case.due - timedelta(hours=3),
        case.due + LEAD,
        timedelta(minutes=10),
    )
    sent = outbox(database, "shift-reminder")
    assert [(m.channel, m.address, m.created_at) for m in sent] == [
        ("sms", "+8613900000021", case.due)
    ]
    assert f"starts {case.says} and ends" in sent[0].body
    assert not sent[0].urgent


def test_the_same_run_twice_at_the_same_now_queues_nothing_twice(
    database: Database, settings: Settings
) -> None:
    load(
        database,
        configuration("Europe/London", weekly("mon", "09:00", "17:00", "amy")),
        utc("2026-11-01T00:00"),
    )
    env, now = job_env(database, settings), utc("2026-11-30T00:00")
    assert shift_reminders(env, now) == {"shifts": 1, "queued": 1}
    assert shift_reminders(env, now) == {"shifts": 1, "queued": 0}
    assert len(outbox(database)) == 1


def test_a_changed_rota_reminds_of_new_shifts_and_never_of_removed_ones(
    database: Database, settings: Settings
) -> None:
    zone, monday = "Europe/London", "2026-11-30"
    first = weekly("mon", "09:00", "17:00", "amy", on=monday) + weekly(
        "mon", "20:00", "23:00", "bob", on=monday
    )
    load(database, configuration(zone, first), utc("2026-11-01T00:00"))
    env = job_env(database, settings)
    shift_reminders(env, utc("2026-11-29T22:00"))  # amy's shift is within 12 h, bob's is not
    # Bob's evening goes to Cai, and Amy starts an hour later.
    second = weekly("mon", "10:00", "17:00", "amy", on=monday) + weekly(
        "mon", "20:00", "23:00", "cai", on=monday
    )
    load(database, configuration(zone, second), utc("2026-11-30T06:00"))
    run_every(env, utc("2026-11-30T06:00"), utc("2026-11-30T20:00"), timedelta(hours=1))
    told = [(m.address, m.body.split("starts ")[1][:11]) for m in outbox(database)]
    assert told == [
        ("+8613900000021", "11-30 09:00"),  # before the change, as the rota said then
        ("+8613900000021", "11-30 10:00"),  # a moved shift is a new one: its new start
        ("+8613900000023", "11-30 20:00"),  # cai's new shift; bob's removed one never
    ]


def test_a_counselor_with_an_account_is_reminded_in_their_language_by_text_and_email(
    database: Database, settings: Settings, cheap_passwords: Any
) -> None:
    zone, saved = "Europe/London", utc("2026-11-01T00:00")
    load(database, configuration(zone, weekly("mon", "17:00", "08:00", "amy")), saved)
    account(
        database,
        cheap_passwords,
        "amy",
        "counselor",
        saved,
        counselor="amy",
        email="amy@example.org",
        language="zh_CN",
    )
    shift_reminders(job_env(database, settings), utc("2026-11-30T06:00"))
    sent = outbox(database)
    assert [(m.channel, m.address) for m in sent] == [
        ("sms", "+8613900000021"),
        ("email", "amy@example.org"),
    ]
    # A night shift: it ends the next morning, and the text says so on the line's clock.
    assert all(
        "Night Line 的值班（第1梯队）将于 11-30 17:00 开始，至 12-01 08:00" in m.body for m in sent
    )


def test_a_shift_already_running_and_a_round_the_clock_rota_are_not_reminded_of(
    database: Database, settings: Settings
) -> None:
    every_day = "mon, tue, wed, thu, fri, sat, sun"
    load(
        database,
        configuration("Asia/Shanghai", weekly(every_day, "00:00", "00:00", "amy")),
        utc("2026-11-01T00:00"),
    )
    assert shift_reminders(job_env(database, settings), utc("2026-11-30T00:00")) == {
        "shifts": 0,
        "queued": 0,
    }
