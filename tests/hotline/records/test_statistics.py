"""The statistics: each figure equals the number of calls its call-log link lists."""

from __future__ import annotations

import statistics as py_statistics
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from hotline.models import Call, Hotline
from hotline.records.calllog import CallFilters, filtered_calls
from hotline.records.drilldown import drills, heatmap, series
from hotline.records.scope import Viewer
from hotline.records.statistics import Statistics, quantile, statistics
from hotline.records.statistics_question import BadQuestion, ask
from tests.conftest import RecordsWorld
from tests.hotline.records.statistics_world import NOW, busy_week

ADMIN = Viewer("ann", "admin")
DECEMBER = (date(2026, 12, 1), date(2026, 12, 10))


def stats_of(
    world: RecordsWorld, viewer: Viewer = ADMIN, lines: tuple[str, ...] = ()
) -> Statistics:
    with world.database.read() as reading:
        question = ask(reading, viewer, lines, *DECEMBER)
        return statistics(reading, question, NOW)


def listed(world: RecordsWorld, viewer: Viewer, filters: CallFilters) -> list[int]:
    with world.database.read() as reading:
        query = filtered_calls(reading, viewer, filters, NOW)
        return [row.id for row in reading.execute(query)]


def test_every_figure_equals_the_calls_its_link_lists(world: RecordsWorld) -> None:
    busy_week(world)
    stats = stats_of(world)

    found = {d.name: (d.count, len(listed(world, ADMIN, d.filters))) for d in drills(stats)}

    assert {name: pair for name, pair in found.items() if pair[0] != pair[1]} == {}
    assert len(found) > 200  # figures, outcomes, counselors, the heatmap and the series
    assert sum(count for count, _ in found.values()) > 50


def test_the_figures_of_a_busy_week_are_these(world: RecordsWorld) -> None:
    made = busy_week(world)
    stats = stats_of(world)

    assert stats.counts == {
        "calls": 9,
        "taken": 4,
        "not-taken": 5,
        "fallback": 2,
        "closing": 1,
        "abandoned": 1,
        "unsettled": 1,
        "within-20": 1,
        "within-30": 2,
        "outcome-recorded": 2,
        "outcome-missing": 2,
        "backup-tier": 2,
        "overflow-line": 1,
        "fallback-needed": 3,
    }
    parts = ("taken", "fallback", "closing", "abandoned", "unsettled")
    assert sum(stats.counts[name] for name in parts) == stats.counts["calls"]
    assert (stats.repeat_callers, stats.repeat_calls) == (1, 3)  # `withheld` is nobody
    assert stats.answer_rate == pytest.approx(4 / 9)
    assert made["later"] not in listed(
        world, ADMIN, CallFilters(start=DECEMBER[0], end=DECEMBER[1])
    )


def test_waits_are_the_exact_median_and_p90_of_the_raw_rows(world: RecordsWorld) -> None:
    busy_week(world)
    stats = stats_of(world)

    with world.database.read() as reading:
        rows = reading.execute(
            select(Call.arrived_at, Call.answered_at).where(
                Call.id.in_(
                    listed(
                        world,
                        ADMIN,
                        CallFilters(start=DECEMBER[0], end=DECEMBER[1], lines=("city", "school")),
                    )
                ),
                Call.answered_by_id.is_not(None),
            )
        ).all()
    waits = sorted(round((b - a).total_seconds()) for a, b in rows if b is not None)

    assert waits == [12, 25, 31, 40]
    assert stats.wait.median == 25 == py_statistics.median_low(waits)
    assert stats.wait.p90 == 40
    assert stats.as_contract()["time_to_answer_seconds"] == {"median": 25, "p90": 40}


def test_a_counselors_row_counts_the_calls_they_were_rung_for_and_took(world: RecordsWorld) -> None:
    busy_week(world)
    rows = {c.counselor: c for c in stats_of(world).counselors}

    assert (rows["wang-li"].rung, rows["wang-li"].taken, rows["wang-li"].declined) == (6, 2, 1)
    assert rows["wang-li"].not_answered == 2  # no answer, and a voicemail that pressed nothing
    assert (rows["li-na"].rung, rows["li-na"].taken, rows["li-na"].outcomes) == (3, 2, 1)
    assert (rows["he-fang"].rung, rows["he-fang"].taken, rows["he-fang"].not_answered) == (2, 0, 2)
    assert stats_of(world).as_contract()["counselors"][0] == {
        "counselor": "wang-li",
        "rung": 6,
        "answered": 2,
    }


def test_days_hours_and_weekdays_are_each_lines_own(world: RecordsWorld) -> None:
    made = busy_week(world)
    stats = stats_of(world)

    by_day = {b.start: (b.calls, b.taken) for b in series(stats)}
    cells = heatmap(stats)

    assert len(by_day) == 10
    assert by_day[date(2026, 12, 1)] == (1, 1)
    assert cells[(2, 0)] == (1, 0)  # Tuesday 1 December, 00:xx in Shanghai
    assert cells[(1, 23)] == (1, 0)  # Monday 7 December, 23:30 in London
    assert sum(calls for calls, _ in cells.values()) == 9
    assert made["nowhere"] not in listed(world, ADMIN, CallFilters(lines=("city", "school")))


def test_a_supervisor_of_one_line_counts_the_calls_that_arrived_on_it(world: RecordsWorld) -> None:
    busy_week(world)
    with world.database.read() as reading:
        school = reading.scalar(select(Hotline.id).where(Hotline.key == "school"))
    assert school is not None
    tom = Viewer("tom", "supervisor", line_ids=frozenset({school}))
    stats = stats_of(world, tom)

    assert stats.question.lines == ("school",)
    assert stats.counts["calls"] == 2
    for drill in drills(stats):
        assert drill.count == len(listed(world, tom, drill.filters)), drill.name


@pytest.mark.parametrize(
    ("keys", "days", "code"),
    [
        (("city",), (date(2026, 12, 9), date(2026, 12, 1)), "reversed"),
        (("city",), (date(2020, 1, 1), date(2025, 1, 2)), "too-long"),
        (("nowhere",), DECEMBER, "unknown-line"),
        (("city",), DECEMBER, "not-your-line"),
    ],
    ids=["reversed", "over-five-years", "unknown-line", "outside-scope"],
)
def test_a_bad_question_is_refused_with_its_reason(
    world: RecordsWorld, keys: tuple[str, ...], days: tuple[date, date], code: str
) -> None:
    with world.database.read() as reading:
        school = reading.scalar(select(Hotline.id).where(Hotline.key == "school"))
        assert school is not None
        tom = Viewer("tom", "operator", line_ids=frozenset({school}))
        with pytest.raises(BadQuestion) as refused:
            ask(reading, tom, keys, *days)
    assert refused.value.code == code


def test_five_years_to_the_day_is_not_too_long(world: RecordsWorld) -> None:
    with world.database.read() as reading:
        question = ask(reading, ADMIN, (), date(2020, 1, 1), date(2025, 1, 1))
        assert reading.scalar(select(func.count()).select_from(Call)) == 0
    assert question.lines == ("city", "school")


def test_the_nearest_rank_quantile_of_counted_values() -> None:
    assert quantile([], 0.5) is None
    assert quantile([(3, 1)], 0.9) == 3
    assert quantile([(1, 5), (2, 4), (9, 1)], 0.5) == 1
    assert quantile([(1, 5), (2, 4), (9, 1)], 0.9) == 2
    assert quantile([(1, 5), (2, 4), (9, 2)], 0.9) == 9


def test_hours_on_duty_follow_the_rota_versions_in_force_up_to_now(world: RecordsWorld) -> None:
    from hotline.config.importer import import_configuration
    from tests.conftest import RECORDS_CONFIG

    busy_week(world)
    # From 5 December 12:00 UTC on, li-na is no longer on the city line's rota.
    changed = RECORDS_CONFIG.replace("counselors: [wang-li, li-na]}", "counselors: [wang-li]}")
    with world.database.write() as writing:
        import_configuration(writing, changed, datetime(2026, 12, 5, 12, tzinfo=UTC))
    stats = stats_of(world)
    rows = {c.counselor: c.on_duty_seconds / 3600 for c in stats.counselors}

    # 1 December 00:00 in Shanghai is 30 November 16:00 UTC; NOW is 10 December 12:00 UTC.
    assert rows["wang-li"] == 9 * 24 + 20
    assert rows["li-na"] == 4 * 24 + 20
    assert rows["he-fang"] == 9 * 24 + 12  # London: from 1 December 00:00 UTC
    assert stats.as_contract()["hours_on_duty"] == {"wang-li": 236, "li-na": 116, "he-fang": 228}
