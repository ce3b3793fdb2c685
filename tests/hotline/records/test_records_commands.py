"""`hotline user`, `hotline calls export`, `hotline outbox list`, `hotline jobs run`."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from hotline.cli import cli
from hotline.cli.context import Services
from hotline.clock import now
from hotline.db import Database
from hotline.models import AuditEntry, Call, User
from settings import Settings

Run = Any


@pytest.fixture
def run(settings: Settings, records_db: Database) -> Run:
    def invoke(*args: str, stdin: str | None = None) -> Result:
        return CliRunner().invoke(cli, list(args), obj=Services(settings, records_db), input=stdin)

    return invoke


def test_user_add_makes_a_scoped_supervisor_with_an_argon2id_hash_and_audits_it(
    run: Run, records_db: Database
) -> None:
    added = run(
        "user",
        "add",
        "sue",
        "--role",
        "supervisor",
        "--hotline",
        "city",
        "--email",
        "sue@example.org",
        "--password-stdin",
        stdin="a long passphrase\n",
    )
    assert added.exit_code == 0, added.output
    with records_db.read() as reading:
        user = reading.scalar(select(User).where(User.username == "sue"))
        assert user is not None
        assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        assert reading.scalar(select(AuditEntry.action)) == "user.add"


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--role", "counselor"], "--counselor"),
        (["--role", "counselor", "--counselor", "nobody"], "no counselor"),
        (["--role", "admin", "--hotline", "city"], "--hotline"),
        (["--role", "supervisor", "--hotline", "mars"], "no line"),
        (["--role", "admin", "--phone", "13800138000"], "E.164"),
    ],
    ids=["counselor-without-key", "unknown-counselor", "scoped-admin", "unknown-line", "bad-phone"],
)
def test_user_add_refuses_bad_input_with_exit_2(run: Run, args: list[str], problem: str) -> None:
    result = run("user", "add", "someone", *args, "--password-stdin", stdin="a long passphrase\n")
    assert result.exit_code == 2
    assert problem in result.output


def test_user_add_refuses_a_short_or_common_password_and_a_phone_number_as_username(
    run: Run,
) -> None:
    short = run("user", "add", "ada", "--role", "admin", "--password-stdin", stdin="short\n")
    common = run("user", "add", "ada", "--role", "admin", "--password-stdin", stdin="password1\n")
    number = run("user", "add", "13800138000", "--role", "admin", "--password-stdin", stdin="x" * 9)
    assert (short.exit_code, common.exit_code, number.exit_code) == (2, 2, 2)


def test_a_role_change_is_audited_and_ends_the_users_sessions(
    run: Run, world: Any, records_db: Database
) -> None:
    user = world.user("opal", "operator")
    assert run("user", "role", "opal", "--role", "supervisor").exit_code == 0
    with records_db.read() as reading:
        changed = reading.get(User, user["id"])
        assert changed is not None
        assert (changed.role, changed.session_generation) == ("supervisor", 2)
        entry = reading.scalar(select(AuditEntry).where(AuditEntry.action == "user.role"))
        assert entry is not None
        assert entry.detail == {"from": "operator", "to": "supervisor"}


def test_calls_export_defaults_to_the_last_thirty_days_as_csv(run: Run, world: Any) -> None:
    recent = world.call("city", now() - timedelta(days=2), counselor="wang-li")
    world.call("city", now() - timedelta(days=45))
    result = run("calls", "export")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [int(r["id"]) for r in rows] == [recent]


def test_calls_export_days_are_inclusive_in_each_lines_zone_as_json(run: Run, world: Any) -> None:
    inside = world.call("city", datetime(2026, 3, 1, 15, 59, tzinfo=UTC))  # 23:59 in Shanghai
    world.call("city", datetime(2026, 3, 1, 16, 0, tzinfo=UTC))  # already the 2nd there
    result = run(
        "calls", "export", "--from", "2026-03-01", "--to", "2026-03-01", "--format", "json"
    )
    assert [row["id"] for row in json.loads(result.output)] == [inside]
    assert run("calls", "export", "--from", "yesterday").exit_code == 2


def test_outbox_list_shows_queued_alerts_as_json_without_addresses(run: Run, world: Any) -> None:
    from hotline.alerts.risk import raise_alert

    world.user("sue", "supervisor", phone="+8613900000099")
    call_id = world.call("city", now(), counselor="wang-li")
    with world.database.write() as writing:
        call = writing.get(Call, call_id)
        assert call is not None
        raise_alert(writing, call, "high", now(), "https://hotline.example.org")
    output = run("outbox", "list", "--json").output
    listed = json.loads(output)
    assert [(m["kind"], m["channel"], m["state"], m["call"], m["recipient"]) for m in listed] == [
        ("risk-alert", "sms", "pending", call_id, "sue")
    ]
    assert {"key", "created_at"} <= set(listed[0])
    assert "+8613900000099" not in output


def test_the_retention_job_runs_as_of_now_and_a_rerun_deletes_nothing(
    run: Run, world: Any, records_db: Database
) -> None:
    world.call("city", datetime(2023, 1, 1, tzinfo=UTC))
    kept = world.call("city", datetime(2025, 6, 1, tzinfo=UTC))
    at = "2026-06-01T00:00:00Z"
    first = json.loads(run("jobs", "run", "retention-purge", "--now", at).output)
    second = json.loads(run("jobs", "run", "retention-purge", "--now", at).output)
    assert first["deleted"]["calls"] == 1
    assert not any(second["deleted"].values())
    with records_db.read() as reading:
        assert list(reading.scalars(select(Call.id))) == [kept]


def test_an_unknown_job_or_a_moment_without_offset_is_bad_input(run: Run) -> None:
    assert run("jobs", "run", "make-coffee").exit_code == 2
    assert run("jobs", "run", "retention-purge", "--now", "2026-06-01T00:00").exit_code == 2
