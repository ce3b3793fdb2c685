"""The per-process copies (the lines, the duty index): when they are read again, and that a
slow database read holds up only the caller that makes it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from hotline.cache import RefreshingCopy
from hotline.config.importer import import_configuration
from hotline.db import Database
from hotline.duty import DutyIndex, find_hotline
from hotline.routing.directory import LineDirectory
from tests.conftest import ENGINES, FreshDatabases
from tests.hotline.config.files import SMALL

T0 = datetime(2026, 11, 1, tzinfo=UTC)
NIGHT = datetime(2026, 11, 10, 19, 10, tzinfo=UTC)  # 03:10 in Shanghai
SCHOOL = (
    '  - {key: school, name: School line, number: "+8657463898071", timezone: Asia/Shanghai,\n'
    "     language: en, ring_seconds: 20, overflow: []}\n"
)
TWO_LINES = SMALL.replace("\ncounselors:\n", f"\n{SCHOOL}counselors:\n", 1)
WAIT_S = 5.0  # far longer than any of these steps takes, so only a real wait reaches it


class Clock:
    def __init__(self) -> None:
        self.at = 0.0

    def __call__(self) -> float:
        return self.at


class Gate:
    """Holds a caller where it waits, until the test lets it go."""

    def __init__(self) -> None:
        self.holding = threading.Event()
        self.open = threading.Event()

    def hold(self, *_: Any) -> None:
        self.holding.set()
        self.open.wait(WAIT_S)


@contextmanager
def running(work: Callable[[], object], gate: Gate) -> Iterator[threading.Thread]:
    """`work` in a thread of its own, held at `gate` while the block runs."""
    thread = threading.Thread(target=work)
    thread.start()
    try:
        assert gate.holding.wait(WAIT_S), "the held caller never reached the gate"
        yield thread
    finally:
        gate.open.set()
        thread.join(WAIT_S)


def answered_within(seconds: float, ask: Callable[[], object]) -> list[object]:
    """What `ask` answered in another thread within `seconds`: nothing if it was still waiting."""
    answers: list[object] = []
    thread = threading.Thread(target=lambda: answers.append(ask()))
    thread.start()
    thread.join(seconds)
    return answers


def slow_statements(session: Session, gate: Gate) -> None:
    """From now on, every statement of this session's connection waits at `gate`."""
    event.listen(session.connection(), "before_cursor_execute", gate.hold)


def test_the_copy_is_read_again_once_it_is_as_old_as_the_interval() -> None:
    clock, reads = Clock(), iter(range(1, 100))
    copy = RefreshingCopy(0, every_seconds=1.0, monotonic=clock)
    assert copy.current(lambda _: next(reads)) == 1  # never read: read at once
    clock.at = 0.9
    assert copy.current(lambda _: next(reads)) == 1
    clock.at = 1.0
    assert copy.current(lambda _: next(reads)) == 2
    assert copy.last_known() == 2


def test_a_copy_from_a_file_stands_until_the_first_read_and_never_after() -> None:
    copy = RefreshingCopy("empty", every_seconds=1.0, monotonic=Clock())
    assert copy.seed("from the file")
    assert copy.last_known() == "from the file"
    assert copy.current(lambda held: f"read over {held}") == "read over from the file"
    assert not copy.seed("a file read later")
    assert copy.last_known() == "read over from the file"


def test_a_slow_read_holds_up_only_its_caller() -> None:
    clock, gate = Clock(), Gate()
    copy = RefreshingCopy("old", every_seconds=1.0, monotonic=clock)

    def slow_read(_: str) -> str:
        gate.hold()
        return "slow"

    with running(lambda: copy.current(slow_read), gate) as slow:
        assert answered_within(1.0, copy.last_known) == ["old"]
        clock.at = 0.5
        assert answered_within(1.0, lambda: copy.current(lambda _: "quick")) == ["quick"]
        assert slow.is_alive()
    assert copy.last_known() == "quick"


def test_of_two_reads_at_once_the_one_started_last_is_kept() -> None:
    clock, gate = Clock(), Gate()
    copy = RefreshingCopy("old", every_seconds=1.0, monotonic=clock)
    slow_answer: list[str] = []

    def slow_read(_: str) -> str:
        gate.hold()
        return "older, read slowly"

    with running(lambda: slow_answer.append(copy.current(slow_read)), gate):
        clock.at = 0.5  # the second read starts after the slow one, and ends first
        assert copy.current(lambda _: "newer") == "newer"
    assert slow_answer == ["newer"]
    assert copy.last_known() == "newer"


@pytest.mark.parametrize("kind", ENGINES)
def test_a_slow_first_read_of_one_line_does_not_hold_up_calls_to_a_line_already_prepared(
    kind: str, fresh_databases: FreshDatabases
) -> None:
    database, gate = Database(fresh_databases.engine(kind)), Gate()
    with database.write() as session:
        import_configuration(session, TWO_LINES, T0)
    with database.read() as session:
        city, school = (find_hotline(session, key).id for key in ("city", "school"))
    index = DutyIndex(recheck_seconds=60.0, monotonic=Clock())  # no recheck in this test
    with database.read() as session:
        prepared = index.tiers_at(session, city, "city", NIGHT)

    def first_look_at_school() -> None:
        with database.read() as session:
            slow_statements(session, gate)
            index.tiers_at(session, school, "school", NIGHT)

    def look_at_city() -> object:
        with database.read() as session:
            return index.tiers_at(session, city, "city", NIGHT)

    with running(first_look_at_school, gate) as slow:
        assert answered_within(1.0, look_at_city) == [prepared]
        assert slow.is_alive()
    database.dispose()


@pytest.mark.parametrize("kind", ENGINES)
def test_a_slow_read_of_the_lines_does_not_hold_up_the_copy_in_hand(
    kind: str, fresh_databases: FreshDatabases
) -> None:
    database, gate, clock = Database(fresh_databases.engine(kind)), Gate(), Clock()
    with database.write() as session:
        import_configuration(session, TWO_LINES, T0)
    directory = LineDirectory(refresh_seconds=1.0, monotonic=clock)
    with database.read() as session:
        known = directory.current(session)
    clock.at = 1.0

    def refresh() -> None:
        with database.read() as session:
            slow_statements(session, gate)
            directory.current(session)

    with running(refresh, gate) as slow:
        assert answered_within(1.0, directory.last_known) == [known]
        assert slow.is_alive()
    assert set(known.by_key) == {"city", "school"}
    database.dispose()
