"""The prepared index answers as its history does, from chunks cached per process."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rota.history import RotaHistory
from rota.index import PreparedIndex
from rota.model import Gap, LineRota, Override, Pattern, Period, Rotation, Version, Weekly

LONDON = ZoneInfo("Europe/London")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def a_busy_history() -> RotaHistory:
    """Day and night slots, a rotation, an empty override, two versions; London time."""
    every_day = frozenset(range(7))
    rota = LineRota(
        LONDON,
        patterns=(
            Pattern(1, Weekly(every_day - {6}, time(8), time(20)), ("ana", "ben")),
            Pattern(1, Weekly(every_day, time(20), time(8)), ("chen",)),
            Pattern(
                2,
                Rotation(datetime.fromisoformat("2026-01-01T09:00"), Period(1, "d")),
                ("dev", "eli"),
            ),
        ),
        overrides=(
            Override(
                1,
                datetime.fromisoformat("2026-03-28T12:00"),
                datetime.fromisoformat("2026-03-30T00:00"),
                (),
            ),
        ),
    )
    later = LineRota(LONDON, patterns=rota.patterns[1:])
    return RotaHistory(
        [Version(1, at("2026-01-01T00:00"), rota), Version(2, at("2026-05-01T10:00"), later)]
    )


def test_index_answers_as_the_history_does() -> None:
    history = a_busy_history()
    index = PreparedIndex(history)
    start = at("2025-12-25T00:00")
    rng = random.Random(5)

    for _ in range(300):
        instant = start + timedelta(seconds=rng.randrange(200 * 24 * 3600))
        assert index.tiers_at(instant) == history.tiers_at(instant), instant
    assert index.timeline(start, at("2026-07-01T00:00")) == history.timeline(
        start, at("2026-07-01T00:00")
    )


def test_a_gap_across_chunk_borders_is_reported_once() -> None:
    index = PreparedIndex(a_busy_history(), chunk_length=timedelta(hours=7))

    gaps = index.gaps(at("2026-03-25T00:00"), at("2026-04-05T00:00"))

    # The empty override from Saturday 12:00 GMT to Monday 00:00 BST, Sundays' days uncovered.
    assert Gap(at("2026-03-28T12:00"), at("2026-03-29T23:00")) in gaps
    assert gaps == a_busy_history().gaps(at("2026-03-25T00:00"), at("2026-04-05T00:00"))


def test_an_index_with_few_chunks_keeps_answering_rightly() -> None:
    history = a_busy_history()
    index = PreparedIndex(history, chunk_length=timedelta(days=1), max_chunks=2)
    instants = [at("2026-02-01T09:30") + timedelta(hours=17 * n) for n in range(100)]

    assert [index.tiers_at(i) for i in instants] == [history.tiers_at(i) for i in instants]
    assert [index.tiers_at(i) for i in reversed(instants)] == [
        history.tiers_at(i) for i in reversed(instants)
    ]


def test_equal_tiers_are_stored_once_across_chunks() -> None:
    index = PreparedIndex(a_busy_history())  # chunks of a week from Monday 00:00 UTC

    monday = index.tiers_at(at("2026-02-02T10:00"))
    tuesday_week = index.tiers_at(at("2026-02-10T10:00"))  # days 32 and 40 of the rotation

    assert monday == (("ana", "ben"), ("dev",))
    assert tuesday_week is monday


def test_before_the_first_version_the_index_has_nobody() -> None:
    index = PreparedIndex(a_busy_history())

    assert index.tiers_at(at("2025-12-31T23:59")) == ()


def test_threads_sharing_an_index_get_the_same_answers() -> None:
    history = a_busy_history()
    index = PreparedIndex(history, chunk_length=timedelta(days=2), max_chunks=4)
    instants = [at("2026-01-01T00:00") + timedelta(hours=5 * n) for n in range(400)]
    expected = [history.tiers_at(i) for i in instants]
    answers: list[list[object]] = []

    def ask() -> None:
        answers.append([index.tiers_at(i) for i in instants])

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert answers == [expected] * 4
