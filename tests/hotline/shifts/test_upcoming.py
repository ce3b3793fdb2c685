"""Upcoming shifts: those that start in the window, on every line, each with its whole end."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hotline.db import Database
from hotline.jobs.shift_reminders import shift_reminders
from hotline.shifts.upcoming import upcoming_shifts
from settings import Settings
from tests.hotline.shifts.rotas import COUNSELORS, configuration, job_env, load, outbox, weekly

SAVED = datetime(2026, 11, 1, tzinfo=UTC)
TWO_LINES = f"""\
hotlines:
  - {{key: london, name: London Line, number: "+442079460001", timezone: Europe/London,
     language: en, ring_seconds: 20, max_wait_seconds: 90, ring_strategy: sequential,
     overflow: []}}
  - {{key: sydney, name: Sydney Line, number: "+61291234567", timezone: Australia/Sydney,
     language: en, ring_seconds: 20, max_wait_seconds: 90, ring_strategy: sequential,
     overflow: []}}
{COUNSELORS}rota:
  - {{hotline: london, tier: 1, weekly: {{days: [mon], start: "09:00", end: "17:00"}},
     counselors: [amy]}}
  - {{hotline: sydney, tier: 2, rotation: {{start: "2026-11-30T09:00", every: 7d}},
     counselors: [bob, cai]}}
"""


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_the_shifts_of_every_line_are_found_each_with_its_whole_end(database: Database) -> None:
    load(database, TWO_LINES, SAVED)
    with database.read() as session:
        found = upcoming_shifts(session, utc("2026-11-29T12:00"), utc("2026-11-30T12:00"))
        shifts = [(s.line.key, s.counselor, s.tier, s.start, s.end, s.open_ended) for s in found]
    assert shifts == [
        ("london", "amy", 1, utc("2026-11-30T09:00"), utc("2026-11-30T17:00"), False),
        # A week-long turn of a rotation: its end is found a week after the window.
        ("sydney", "bob", 2, utc("2026-11-29T22:00"), utc("2026-12-06T22:00"), False),
    ]


def test_a_shift_that_has_already_started_is_not_upcoming(database: Database) -> None:
    load(database, TWO_LINES, SAVED)
    with database.read() as session:
        found = upcoming_shifts(session, utc("2026-11-30T09:00"), utc("2026-11-30T12:00"))
    assert found == []


def test_a_shift_without_an_end_in_sight_is_reminded_of_without_an_end(
    database: Database, settings: Settings
) -> None:
    every_day = "mon, tue, wed, thu, fri, sat, sun"
    rota = weekly(every_day, "00:00", "00:00", "amy", since="2026-11-30")
    load(database, configuration("Europe/London", rota), SAVED)
    shift_reminders(job_env(database, settings), utc("2026-11-29T12:00") + timedelta(minutes=1))
    [reminder] = outbox(database)
    assert "starts 11-30 00:00 and ends —." in reminder.body
