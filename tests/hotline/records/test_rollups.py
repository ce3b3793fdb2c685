"""The roll-ups: statistics read from them equal the statistics of the raw rows, every figure,
on seeded random calls, and still after outcomes change and late calls arrive."""

from __future__ import annotations

import random
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy import func, select

from hotline.jobs import stats_rollup as rollup_job
from hotline.jobs.env import JobEnv
from hotline.jobs.stats_rollup import forget_rollups, stats_rollup
from hotline.models import (
    Call,
    CallAttempt,
    CallOutcome,
    Counselor,
    Hotline,
    Partner,
    StatsDay,
    StatsMonth,
)
from hotline.records.calllog import filtered_calls
from hotline.records.drilldown import drills
from hotline.records.report import year_figures
from hotline.records.retention import purge_calls
from hotline.records.rollups import question_split
from hotline.records.scope import Viewer
from hotline.records.statistics import Statistics, statistics
from hotline.records.statistics_question import Question
from hotline.records.vocabulary import (
    ACTIONS,
    AGE_BANDS,
    CALL_TYPES,
    CALLER_TYPES,
    RISKS,
    TOPICS,
)
from tests.conftest import RecordsWorld
from tests.hotline.records.statistics_world import NOW, busy_week

ADMIN = Viewer("ann", "admin")
RESULTS = ("answered", "fallback", "error", "missed", "abandoned", "routing", "unknown")
LEG_RESULTS = ("declined", "no-answer", "no-key", "busy", "failed", "busy-elsewhere", None)
QUESTIONS = (
    Question(("city",), date(2026, 10, 1), date(2026, 12, 10)),
    Question(("school",), date(2026, 10, 15), date(2026, 11, 20)),
    Question(("city", "school"), date(2026, 9, 1), date(2026, 12, 31)),
    Question(("city", "school"), date(2026, 11, 30), date(2026, 11, 30)),
    Question(("city", "school")),  # the last 30 days of each line
)


def env(world: RecordsWorld) -> JobEnv:
    return JobEnv(world.database, cast(Any, None), cast(Any, None))


def random_calls(world: RecordsWorld, rng: random.Random, n: int, days: int, end: datetime) -> None:
    """`n` calls over the `days` before `end`: every result, fractional waits, legs of every
    kind, outcomes with every field, callers that call again."""
    with world.database.write() as db:
        lines = {key: id_ for key, id_ in db.execute(select(Hotline.key, Hotline.id))}
        people = list(db.scalars(select(Counselor.id)))
        partners = list(db.scalars(select(Partner.id)))
        top = int(db.scalar(select(func.max(Call.id))) or 0)
        for i in range(n):
            line = rng.choice(["city", "school", "city"])
            arrived = end - timedelta(seconds=rng.uniform(0, days * 86400))
            result = rng.choice(RESULTS)
            took = rng.choice(people) if result == "answered" or rng.random() < 0.1 else None
            answered = arrived + timedelta(seconds=rng.uniform(0, 60)) if took else None
            ended = (
                None if rng.random() < 0.1 else arrived + timedelta(seconds=rng.uniform(61, 900))
            )
            call = Call(
                call_sid=f"CR{top + i:032d}",
                hotline_id=lines[line],
                caller=rng.choice(["withheld", *(f"v2:{c}" for c in "ABCDEFGHIJKLMNOP")]),
                arrived_at=arrived,
                answered_at=answered,
                ended_at=ended,
                status="completed",
                result=result,
                answered_by_id=took,
                answered_line_id=lines[line] if took else None,
                rota_version=1,
                plan=[],
            )
            db.add(call)
            db.flush()
            for step in range(rng.randint(0, 3)):
                fallback = rng.random() < 0.2
                db.add(
                    CallAttempt(
                        call_id=call.id,
                        step=step,
                        round=0,
                        kind="fallback" if fallback else "counselor",
                        hotline_id=None if fallback else rng.choice(list(lines.values())),
                        tier=None if fallback else rng.randint(1, 3),
                        target="fallback" if fallback else f"c{step}",
                        counselor_id=None if fallback else rng.choice(people),
                        rota_version=1,
                        started_at=arrived,
                        ended_at=arrived,
                        result=rng.choice(LEG_RESULTS),
                    )
                )
            if rng.random() < 0.6:
                at = min(end, arrived + timedelta(hours=rng.uniform(0, 48)))
                db.add(_outcome(rng, call.id, took, partners, at))


def _outcome(
    rng: random.Random, call_id: int, by: int | None, partners: list[int], at: datetime
) -> CallOutcome:
    return CallOutcome(
        call_id=call_id,
        counselor_id=by,
        call_type=rng.choice(CALL_TYPES),
        topics=rng.sample(list(TOPICS), rng.randint(0, 3)),
        risk=rng.choice(RISKS),
        actions=rng.sample(list(ACTIONS), rng.randint(0, 2)),
        partner_id=rng.choice([None, *partners]),
        caller_type=rng.choice([None, *CALLER_TYPES]),
        age_band=rng.choice([None, *AGE_BANDS]),
        recorded_at=at,
        updated_at=at,
    )


def figures(world: RecordsWorld, question: Question, now: datetime) -> dict[str, Any]:
    with world.database.read() as reading:
        found = statistics(reading, question, now)
    return _comparable(found)


def _comparable(found: Statistics) -> dict[str, Any]:
    return {
        "counts": found.counts,
        "wait": asdict(found.wait),
        "talk": found.talk_seconds,
        "hours": found.hours,
        "outcomes": found.outcomes,
        "repeat": (found.repeat_callers, found.repeat_calls),
        "counselors": [asdict(c) for c in found.counselors],
    }


def rolled_days(world: RecordsWorld, question: Question, now: datetime) -> int:
    with world.database.read() as reading:
        parts = question_split(reading, question.lines, question.start, question.end, now)
    return sum((b - a).days + 1 for spans in parts.rolled.values() for a, b in spans)


def raw_figures(world: RecordsWorld, now: datetime) -> list[dict[str, Any]]:
    """Every question's figures from the raw rows alone (the roll-ups dropped, then rebuilt)."""
    with world.database.write() as db:
        forget_rollups(db)
    found = [figures(world, q, now) for q in QUESTIONS]
    stats_rollup(env(world), now)
    return found


def test_figures_from_roll_ups_equal_those_from_raw_rows(
    world: RecordsWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(13)
    random_calls(world, rng, 400, 90, NOW)
    raw = [figures(world, q, NOW) for q in QUESTIONS]

    ran = stats_rollup(env(world), NOW)

    assert ran["days"] > 150
    assert ran["calls"] > 300
    assert rolled_days(world, QUESTIONS[0], NOW) > 60
    with world.database.read() as reading:  # October and November: read as whole months
        months = set(reading.scalars(select(StatsMonth.month)))
    assert {"2026-10", "2026-11"} <= months
    assert [figures(world, q, NOW) for q in QUESTIONS] == raw
    # Settled days are not counted again: the last 3 days, and the days of the last ids.
    monkeypatch.setattr(rollup_job, "ID_MARGIN", 10)
    assert stats_rollup(env(world), NOW)["days"] < 3 * 2 + 10 * 2

    # Outcomes change (recorded late, edited), late calls arrive on counted days.
    later = NOW + timedelta(hours=2)
    with world.database.write() as db:
        outcomes = list(db.scalars(select(CallOutcome).order_by(CallOutcome.id)))
        for outcome in rng.sample(outcomes, 40):
            outcome.risk, outcome.topics = rng.choice(RISKS), [rng.choice(TOPICS)]
            outcome.caller_type, outcome.updated_at = None, later
        missing = db.scalars(
            select(Call.id)
            .outerjoin(CallOutcome, CallOutcome.call_id == Call.id)
            .where(CallOutcome.id.is_(None))
            .limit(20)
        )
        partners = list(db.scalars(select(Partner.id)))
        for call_id in list(missing):
            db.add(_outcome(rng, call_id, None, partners, later))
    random_calls(world, rng, 30, 60, NOW - timedelta(days=5))
    assert [figures(world, q, later) for q in QUESTIONS] != raw  # the change shows at once

    stats_rollup(env(world), later)

    assert rolled_days(world, QUESTIONS[0], later) > 60
    assert [figures(world, q, later) for q in QUESTIONS] == raw_figures(world, later)


def test_a_line_whose_zone_changed_is_read_raw_until_counted_again(world: RecordsWorld) -> None:
    random_calls(world, random.Random(7), 200, 40, NOW)
    stats_rollup(env(world), NOW)
    with world.database.write() as db:
        line = db.scalars(select(Hotline).where(Hotline.key == "school")).one()
        line.timezone = "Asia/Kolkata"  # half an hour off the hours it was counted in
    question = QUESTIONS[2]

    assert rolled_days(world, Question(("school",), QUESTIONS[2].start, QUESTIONS[2].end), NOW) == 0
    before = figures(world, question, NOW)
    stats_rollup(env(world), NOW)
    assert rolled_days(world, Question(("school",), QUESTIONS[2].start, QUESTIONS[2].end), NOW) > 30
    assert figures(world, question, NOW) == before == raw_figures(world, NOW)[2]


def test_every_figure_read_from_roll_ups_equals_the_calls_its_link_lists(
    world: RecordsWorld,
) -> None:
    busy_week(world)
    stats_rollup(env(world), NOW)
    with world.database.read() as reading:
        assert (reading.scalar(select(func.count()).select_from(StatsDay)) or 0) > 0
        question = Question(("city", "school"), date(2026, 12, 1), date(2026, 12, 10))
        stats = statistics(reading, question, NOW)
    assert rolled_days(world, question, NOW) >= 12

    found = {}
    for d in drills(stats):
        with world.database.read() as reading:
            listed = list(reading.execute(filtered_calls(reading, ADMIN, d.filters, NOW)))
        found[d.name] = (d.count, len(listed))

    assert {name: pair for name, pair in found.items() if pair[0] != pair[1]} == {}
    assert sum(count for count, _ in found.values()) > 50


def test_the_first_run_counts_every_settled_day_and_no_later_one(world: RecordsWorld) -> None:
    random_calls(world, random.Random(3), 50, 20, NOW)
    stats_rollup(env(world), NOW)
    with world.database.read() as reading:
        last = select(StatsDay.hotline_id, func.max(StatsDay.day)).group_by(StatsDay.hotline_id)
        days = {line: day for line, day in reading.execute(last)}
        lines = {key: id_ for key, id_ in reading.execute(select(Hotline.key, Hotline.id))}
    # NOW is 10 December 12:00 UTC: 20:00 in Shanghai, 12:00 in London; a day is counted once
    # it ended six hours ago.
    assert days[lines["city"]] == "2026-12-09"
    assert days[lines["school"]] == "2026-12-09"
    assert datetime(2026, 12, 10, 12, tzinfo=UTC) == NOW


def test_the_yearly_report_from_roll_ups_equals_that_from_raw_rows(world: RecordsWorld) -> None:
    random_calls(world, random.Random(11), 300, 120, NOW)
    with world.database.read() as reading:
        raw = year_figures(reading, 2026, NOW, 3)

    stats_rollup(env(world), NOW)
    with world.database.read() as reading:
        rolled = year_figures(reading, 2026, NOW, 3)

    assert rolled_days(world, Question(("city",), date(2026, 1, 1), date(2026, 12, 31)), NOW) > 90
    assert (rolled.cells, rolled.hidden, rolled.waits) == (raw.cells, raw.hidden, raw.waits)
    assert sum(raw.cells.values()) > 1000


def test_days_the_retention_purge_touched_are_read_raw_then_counted_again(
    world: RecordsWorld,
) -> None:
    random_calls(world, random.Random(5), 300, 90, NOW)
    stats_rollup(env(world), NOW)
    with world.database.write() as db:
        assert purge_calls(db, datetime(2026, 10, 20, 5, tzinfo=UTC), 10_000) > 0
    question = QUESTIONS[2]  # September to December

    purged = figures(world, question, NOW)
    stats_rollup(env(world), NOW)

    assert figures(world, question, NOW) == purged == raw_figures(world, NOW)[2]
    assert purged["counts"]["calls"] > 100
