"""`hotline stats`: the page's figures as CONTRACT's JSON, and exit 2 for a bad question."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from hotline.cli import cli
from hotline.cli.context import Services
from hotline.db import Database
from hotline.models import AuditEntry
from settings import Settings
from tests.conftest import RecordsWorld
from tests.hotline.records.follow_up_world import some_follow_up
from tests.hotline.records.statistics_world import busy_week

Run = Any
DECEMBER = ("--from", "2026-12-01", "--to", "2026-12-10")


@pytest.fixture
def run(settings: Settings, records_db: Database) -> Run:
    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), obj=Services(settings, records_db))

    return invoke


def test_stats_of_one_line_prints_the_contracts_keys(run: Run, world: RecordsWorld) -> None:
    busy_week(world)

    shown = run("stats", "city", *DECEMBER, "--json")

    assert shown.exit_code == 0, shown.output
    found = json.loads(shown.output)
    assert (found["calls"], found["bridged"]) == (7, 2)
    assert found["answer_rate"] == pytest.approx(2 / 7)
    assert found["time_to_answer_seconds"] == {"median": 12, "p90": 25}
    assert found["counselors"] == [
        {"counselor": "wang-li", "rung": 5, "answered": 1},
        {"counselor": "li-na", "rung": 2, "answered": 1},
    ]
    with world.database.read() as reading:
        entry = reading.scalar(select(AuditEntry).where(AuditEntry.action == "stats.read"))
        assert entry is not None
        assert entry.detail["lines"] == ["city"]


def test_stats_of_every_line_counts_an_overflowed_call_where_it_arrived(
    run: Run, world: RecordsWorld
) -> None:
    busy_week(world)

    every = json.loads(run("stats", "--all", *DECEMBER, "--json").output)
    school = json.loads(run("stats", "school", *DECEMBER, "--json").output)

    assert (every["calls"], every["bridged"]) == (9, 4)
    assert (school["calls"], school["bridged"]) == (2, 2)  # one taken on the city line
    assert {"counselor": "he-fang", "rung": 2, "answered": 0} in school["counselors"]


def test_stats_without_calls_have_no_answer_rate(run: Run, world: RecordsWorld) -> None:
    found = json.loads(run("stats", "city", *DECEMBER, "--json").output)

    assert (found["calls"], found["answer_rate"]) == (0, None)
    assert found["time_to_answer_seconds"] == {"median": None, "p90": None}
    assert run("stats", "city", *DECEMBER).exit_code == 0


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["city", "--from", "2026-12-09", "--to", "2026-12-01"], "before --from"),
        (["city", "--from", "2020-01-01", "--to", "2026-01-01"], "longer than 5 years"),
        (["nowhere", *DECEMBER], "no such line: nowhere"),
        (["city", "--all"], "name one line, or --all"),
        ([], "name one line, or --all"),
        (["city", "--from", "yesterday"], "--from"),
        # Up to today when --to is left out: still more than five years.
        (["city", "--from", "2000-01-01"], "longer than 5 years"),
        # The ends of the calendar overflow a zone's conversion: refused, never a traceback.
        (["city", "--to", "9999-12-31"], "a day outside"),
        (["city", "--from", "0001-01-01", "--to", "0001-01-03"], "a day outside"),
    ],
    ids=[
        "reversed",
        "over-five-years",
        "unknown-line",
        "both",
        "neither",
        "not-a-date",
        "over-five-years-to-today",
        "year-9999",
        "year-1",
    ],
)
def test_a_bad_question_exits_2_naming_the_problem(
    run: Run, world: RecordsWorld, args: list[str], problem: str
) -> None:
    refused = run("stats", *args)

    assert refused.exit_code == 2
    assert problem in refused.output


def test_stats_json_gives_each_counselors_hours_on_duty(run: Run, world: RecordsWorld) -> None:
    found = json.loads(
        run("stats", "--all", "--from", "2026-02-01", "--to", "2026-02-28", "--json").output
    )

    # Both lines' rota: all day, every day, since 1 January 2026.
    assert found["hours_on_duty"] == {"wang-li": 672, "li-na": 672, "he-fang": 672}
    assert found["counselors"] == []  # nobody was rung: the contract's list stays that


def test_stats_json_gives_follow_up_care_beside_the_contracts_keys(
    run: Run, world: RecordsWorld
) -> None:
    some_follow_up(world)

    found = json.loads(run("stats", "school", *DECEMBER, "--json").output)
    text = run("stats", "--all", *DECEMBER).output

    assert {"calls", "bridged", "answer_rate", "time_to_answer_seconds", "counselors"} <= set(found)
    assert found["follow_up"] == {
        "appointments": {"booked": 2, "attended": 0, "missed": 1, "cancelled": 0, "open": 1},
        "referrals": {
            "total": 1,
            "partner": {"kangning": 1},
            "urgency": {"routine": 1, "72h": 0, "today": 0},
            "result": {
                "proposed": 1,
                "sent": 0,
                "accepted": 0,
                "attended": 0,
                "declined": 0,
                "lost": 0,
            },
        },
    }
    assert "appointments: booked 7, attended 2, missed 2, cancelled 1, open 2" in text
    assert "referrals: 4" in text
