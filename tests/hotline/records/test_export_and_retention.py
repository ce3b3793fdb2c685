"""Exports (de-identified, formula-safe, streamed) and the retention purge."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from hotline.models import (
    AuditEntry,
    Call,
    CallAttempt,
    CallOutcome,
    OutboxMessage,
    TotpEnrolment,
)
from hotline.records import audit
from hotline.records.calllog import CallFilters
from hotline.records.export import csv_chunks, export_rows, json_chunks, neutralize
from hotline.records.policy import RecordsPolicy
from hotline.records.retention import purge_audit, purge_batch
from hotline.records.scope import Viewer

NOW = datetime(2026, 12, 10, 4, 0, tzinfo=UTC)
ADMIN = Viewer("ada", "admin")


@pytest.mark.parametrize("cell", ['=HYPERLINK("x")', "+1+1", "-2", "@SUM(A1)", "\tx"])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralized(cell: str) -> None:
    assert neutralize(cell) == "'" + cell


def test_the_export_is_de_identified_and_local_to_each_line(world: Any) -> None:
    call_id = world.call("city", datetime(2026, 12, 5, 16, 30, tzinfo=UTC), counselor="wang-li")
    with world.database.read() as reading:
        rows = list(export_rows(reading, ADMIN, CallFilters(), NOW))
        text_out = "".join(csv_chunks(iter(rows))) + "".join(json_chunks(iter(rows)))
    assert rows[0]["id"] == call_id
    assert rows[0]["arrived_at"] == "2026-12-06T00:30:00+08:00"
    assert rows[0]["counselor"] == "wang-li"
    assert rows[0]["caller"].startswith("v2:")
    assert "CA0" not in text_out  # no CallSid: Twilio could turn it back into a number


def test_csv_and_json_carry_the_same_rows_with_a_header(world: Any) -> None:
    for hours in range(1, 4):
        world.call("city", NOW - timedelta(hours=hours))
    with world.database.read() as reading:
        as_csv = "".join(csv_chunks(export_rows(reading, ADMIN, CallFilters(), NOW)))
        as_json = json.loads("".join(json_chunks(export_rows(reading, ADMIN, CallFilters(), NOW))))
    table = list(csv.DictReader(io.StringIO(as_csv)))
    assert [int(r["id"]) for r in table] == [r["id"] for r in as_json]
    assert len(table) == 3


def test_the_purge_deletes_what_is_older_than_its_class_keeps_the_rest_and_can_rerun(
    world: Any,
) -> None:
    policy = RecordsPolicy(call_days=100, note_days=30, audit_days=100, outbox_days=10)
    old = world.call("city", NOW - timedelta(days=101), counselor="wang-li")
    middle = world.call("city", NOW - timedelta(days=40), counselor="wang-li")
    young = world.call("city", NOW - timedelta(days=5), counselor="wang-li")
    with world.database.write() as writing:
        for call_id in (old, middle, young):
            writing.add(
                CallAttempt(
                    call_id=call_id,
                    step=0,
                    round=0,
                    kind="counselor",
                    target="wang-li",
                    started_at=NOW - timedelta(days=200),
                )
            )
            writing.add(
                CallOutcome(
                    call_id=call_id,
                    call_type="counseling",
                    topics=[],
                    risk="low",
                    actions=[],
                    note="note",
                    flagged=False,
                    recorded_at=NOW,
                    updated_at=NOW,
                )
            )
        audit.record(writing, NOW - timedelta(days=101), "calls.list", actor="x")
        audit.record(writing, NOW - timedelta(days=1), "calls.list", actor="y")
    counts = [dict(purge_batch_once(world, policy, batch)) for batch in (1, 1000, 1000)]
    assert counts[0]["calls"] == 1
    assert counts[2] == {k: 0 for k in counts[2]}
    with world.database.read() as reading:
        assert set(reading.scalars(select(Call.id))) == {middle, young}
        assert reading.scalar(select(func.count(CallAttempt.id))) == 2
        notes = dict(reading.execute(select(CallOutcome.call_id, CallOutcome.note)).all())
        assert notes == {middle: None, young: "note"}
        assert list(reading.scalars(select(AuditEntry.actor))) == ["y"]


def purge_batch_once(world: Any, policy: RecordsPolicy, batch: int) -> Any:
    with world.database.write() as writing:
        return purge_batch(writing, policy, NOW, batch)


def test_a_purge_unlinks_outbox_messages_of_purged_calls(world: Any) -> None:
    old = world.call("city", NOW - timedelta(days=101))
    with world.database.write() as writing:
        writing.add(
            OutboxMessage(
                key="k",
                kind="risk-alert",
                channel="sms",
                call_id=old,
                subject="s",
                body="b",
                state="pending",
                attempts=0,
                created_at=NOW - timedelta(days=1),
                due_at=NOW - timedelta(days=1),
            )
        )
    purge_batch_once(world, RecordsPolicy(call_days=100), 1000)
    with world.database.read() as reading:
        assert reading.scalar(select(OutboxMessage.call_id)) is None


def test_the_purge_deletes_expired_totp_enrolments_and_keeps_the_pending_ones(
    world: Any,
) -> None:
    gone, waiting = world.user("sam", "supervisor"), world.user("sue", "supervisor")
    with world.database.write() as writing:
        for user, expires_at in ((gone, NOW), (waiting, NOW + timedelta(seconds=1))):
            writing.add(
                TotpEnrolment(user_id=user["id"], secret="v3:sealed", expires_at=expires_at)
            )
    first = purge_batch_once(world, RecordsPolicy(), 1000)
    assert first["totp_enrolments"] == 1
    assert purge_batch_once(world, RecordsPolicy(), 1000)["totp_enrolments"] == 0
    with world.database.read() as reading:
        assert list(reading.scalars(select(TotpEnrolment.user_id))) == [waiting["id"]]


def test_the_audit_log_refuses_updates_and_deletes_outside_the_purge(world: Any) -> None:
    with world.database.write() as writing:
        audit.record(writing, NOW, "calls.list", actor="x")
    for statement in ("UPDATE audit_log SET actor = 'someone-else'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), world.database.write() as writing:
            writing.execute(text(statement))
    with world.database.write() as writing:
        assert purge_audit(writing, NOW + timedelta(days=1), 100) == 1  # the purge may
    with world.database.read() as reading:
        assert reading.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_the_purge_keeps_an_old_message_until_it_is_sent(world: Any) -> None:
    """A reminder queued months before its session (or a notice held by quiet hours) is work
    still to do: old as it is, the purge leaves it until it is done."""
    policy = RecordsPolicy(call_days=100, note_days=30, audit_days=100, outbox_days=10)
    long_ago = NOW - timedelta(days=40)
    with world.database.write() as writing:
        for key, state in (("waiting", "pending"), ("done", "sent")):
            writing.add(
                OutboxMessage(
                    key=key,
                    kind="shift-reminder",
                    channel="sms",
                    address=None,
                    subject="s",
                    body="b",
                    state=state,
                    created_at=long_ago,
                    due_at=NOW + timedelta(days=60),
                )
            )
    assert purge_batch_once(world, policy, 1000)["outbox"] == 1
    with world.database.read() as reading:
        assert list(reading.scalars(select(OutboxMessage.key))) == ["waiting"]
