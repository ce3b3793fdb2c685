"""`/webhooks/sms/status`: Twilio's delivery reports, signed, idempotent, never backward."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import select

from hotline.db import Database
from hotline.models import OutboxMessage
from settings import Settings
from webhooks.simulator import WebhookClient

SID = "SM" + "a" * 32
URL = "https://hotline.example.org/webhooks/sms/status"
AT = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def sent(database: Database, app: Flask) -> int:
    with database.write() as writing:
        row = OutboxMessage(
            key="risk-alert:1:0:L0:user-1:sms",
            kind="risk-alert",
            channel="sms",
            urgent=True,
            address="+8613900000099",
            subject="s",
            body="b",
            state="sent",
            attempts=1,
            created_at=AT,
            due_at=AT,
            sent_at=AT,
            provider_ref=SID,
            delivery_status="queued",
        )
        writing.add(row)
        writing.flush()
        return row.id


def report(webhook: WebhookClient, status: str, code: str | None = None) -> int:
    params = [("MessageSid", SID), ("MessageStatus", status), ("AccountSid", "AC" + "0" * 32)]
    params += [("ErrorCode", code)] if code else []
    return webhook.post(URL, params).status


def state_of(database: Database, message_id: int) -> tuple[str, str | None, int]:
    with database.read() as reading:
        row = reading.get(OutboxMessage, message_id)
        assert row is not None
        return row.state, row.delivery_status, row.attempts


def test_reports_out_of_order_and_repeated_end_at_the_furthest_state(
    webhook: WebhookClient, database: Database, sent: int
) -> None:
    assert [report(webhook, s) for s in ("delivered", "sent", "delivered", "sending")] == [204] * 4
    assert state_of(database, sent) == ("delivered", "delivered", 1)


def test_an_undelivered_report_retryable_by_its_code_queues_the_message_again(
    webhook: WebhookClient, database: Database, sent: int
) -> None:
    report(webhook, "undelivered", "30003")
    assert state_of(database, sent)[0] == "pending"
    report(webhook, "delivered")  # a late report about the failed try changes nothing
    assert state_of(database, sent)[0] == "pending"


def test_an_undelivered_report_that_retrying_cannot_fix_makes_it_undeliverable(
    webhook: WebhookClient, database: Database, sent: int
) -> None:
    report(webhook, "failed", "30006")
    assert state_of(database, sent)[0] == "undeliverable"


def test_an_unsigned_report_is_refused_and_changes_nothing(
    app: Flask, database: Database, sent: int, settings: Settings
) -> None:
    reply = app.test_client().post(URL, data={"MessageSid": SID, "MessageStatus": "delivered"})
    assert reply.status_code == 403
    assert state_of(database, sent) == ("sent", "queued", 1)


def test_a_report_about_an_unknown_message_is_answered_and_ignored(
    webhook: WebhookClient, database: Database, sent: int
) -> None:
    params = [("MessageSid", "SM" + "b" * 32), ("MessageStatus", "delivered")]
    assert webhook.post(URL, params).status == 204
    assert webhook.post(URL, [("MessageStatus", "delivered")]).status == 400
    with database.read() as reading:
        assert reading.scalars(select(OutboxMessage.state)).all() == ["sent"]
