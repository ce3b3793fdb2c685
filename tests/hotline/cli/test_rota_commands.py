"""The rota commands of the CLI, driven as an operator types them."""

from __future__ import annotations

import importlib
import json
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from icalendar import Calendar

from hotline.cli import cli
from hotline.cli.context import Services
from hotline.db import Database, create_db_engine
from hotline.migrate import upgrade
from settings import Settings
from tests.conftest import FreshDatabases
from tests.hotline.config.files import DEMO, SMALL


@pytest.fixture
def run(settings: Settings, database: Database):  # type: ignore[no-untyped-def]
    def invoke(*args: str, stdin: str | None = None) -> Result:
        services = Services(settings, database)
        return CliRunner().invoke(cli, list(args), obj=services, input=stdin)

    return invoke


@pytest.fixture
def small_file(tmp_path: Path) -> Path:
    path = tmp_path / "rota.yaml"
    path.write_text(SMALL, encoding="utf-8")
    return path


def test_import_prints_what_changed_and_a_second_import_changes_nothing(run, small_file) -> None:  # type: ignore[no-untyped-def]
    first = run("config", "import", str(small_file))
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["versions"][0]["hotline"] == "city"
    second = run("config", "import", str(small_file))
    assert json.loads(second.stdout) == {
        "changed": [],
        "difference": {},
        "versions": [],
        "violations": {},
    }
    assert "no changes" in second.stderr


def test_a_bad_file_exits_2_naming_each_problem(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.replace("Asia/Shanghai", "Mars/Olympus"), encoding="utf-8")
    result = run("config", "import", str(bad))
    assert result.exit_code == 2
    assert "1 problem(s), nothing written" in result.output
    assert "line 5, hotlines[0].timezone: unknown time zone 'Mars/Olympus'" in result.output


def test_a_missing_file_exits_2(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("config", "import", str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "cannot read" in result.output


def test_on_duty_answers_in_the_contract_shape_from_local_time(run, small_file) -> None:  # type: ignore[no-untyped-def]
    run("config", "import", str(small_file))
    result = run("rota", "on-duty", "city", "--at", "2030-01-15T10:00")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {
        "hotline": "city",
        "at": "2030-01-15T02:00:00+00:00",
        "tiers": [
            [
                {"counselor": "wang-li", "name": "王丽", "phone": "+8613900000001"},
                {"counselor": "zhang-wei", "name": "张伟", "phone": "+8613900000002"},
            ]
        ],
    }


def test_on_duty_of_an_unknown_line_or_a_bad_time_exits_2(run, small_file) -> None:  # type: ignore[no-untyped-def]
    run("config", "import", str(small_file))
    assert run("rota", "on-duty", "nowhere").exit_code == 2
    bad_time = run("rota", "on-duty", "city", "--at", "yesterday")
    assert bad_time.exit_code == 2
    assert "--at" in bad_time.output


def test_gaps_are_utc_half_open_and_clipped_to_the_window(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    days_only = tmp_path / "days.yaml"
    days_only.write_text(
        SMALL.replace("counselors: [li-na]", "counselors: [li-na]\n    until: 2029-12-31"),
        encoding="utf-8",
    )
    run("config", "import", str(days_only))
    result = run("rota", "gaps", "city", "--from", "2030-01-01T00:00", "--days", "2")
    assert result.exit_code == 0, result.output
    # The last night slot starts on its `until` day and still covers 2030-01-01 00:00-08:00.
    assert [{k: g[k] for k in ("start", "end")} for g in json.loads(result.stdout)] == [
        {"start": "2030-01-01T12:00:00Z", "end": "2030-01-02T00:00:00Z"},
        {"start": "2030-01-02T12:00:00Z", "end": "2030-01-02T16:00:00Z"},
    ]
    # Each says its zones: UTC, and the line's own wall clock beside it.
    assert json.loads(result.stdout)[0] | {"start": "", "end": ""} == {
        "start": "",
        "end": "",
        "local_start": "2030-01-01T20:00:00+08:00",
        "local_end": "2030-01-02T08:00:00+08:00",
        "timezone": "Asia/Shanghai",
    }
    assert "start/end: UTC" in result.stderr


def test_ical_has_one_event_per_shift_with_overrides_applied(  # type: ignore[no-untyped-def]
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = tmp_path / "demo.yaml"
    demo.write_text(DEMO.read_text(encoding="utf-8"), encoding="utf-8")
    run("config", "import", str(demo))
    # A Monday, 00:00 in Shanghai, after the import: the next 14 days hold exactly two weeks of
    # weekday day shifts (from the real clock the count depended on the day the test ran).
    monday = datetime(2027, 3, 7, 16, 0, tzinfo=UTC)
    rota_commands = importlib.import_module("hotline.cli.rota")  # the package names its group so
    monkeypatch.setattr(rota_commands, "now", lambda: monday)
    result = run("rota", "ical", "--counselor", "wang-li", "--days", "14")
    assert result.exit_code == 0, result.output
    events = Calendar.from_ical(result.stdout_bytes).walk("VEVENT")
    assert len(events) == 10
    for event in events:
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert (end - start).total_seconds() == 9 * 3600
        assert "慈溪市心理援助热线" in str(event["summary"])


def test_ical_needs_exactly_one_of_hotline_or_counselor(run) -> None:  # type: ignore[no-untyped-def]
    assert run("rota", "ical").exit_code == 2
    assert run("rota", "ical", "--hotline", "a", "--counselor", "b").exit_code == 2


def test_a_bad_file_is_refused_without_waiting_for_the_write_lock(
    settings: Settings, fresh_databases: FreshDatabases, tmp_path: Path
) -> None:
    """The file is checked before the write lock is taken: while another process holds it
    (as routing does for a moment per call), a refused file costs nobody a wait."""
    url = fresh_databases.url("sqlite")
    database = Database(create_db_engine(url, wait_limit_ms=3000))
    upgrade(database.engine)
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.replace("Asia/Shanghai", "Mars/Olympus"), encoding="utf-8")
    holder = sqlite3.connect(url.removeprefix("sqlite:///"))
    try:
        holder.execute("BEGIN IMMEDIATE")
        started = time.monotonic()
        result = CliRunner().invoke(
            cli, ["config", "import", str(bad)], obj=Services(settings, database)
        )
        waited = time.monotonic() - started
    finally:
        holder.rollback()
        holder.close()
        database.dispose()
    assert result.exit_code == 2
    assert waited < 1.5
