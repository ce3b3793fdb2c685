"""`outbox-send`: claims, providers, retries, budgets and crashes, at chosen instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from hotline.db import Database
from hotline.jobs.env import JobEnv
from hotline.jobs.runner import run_job
from hotline.models import OutboxMessage
from hotline.outbound.outbox import Recipient, queue_text
from hotline.outbound.port import Outbound, SendFailure
from hotline.outbound.sending import LEASE, MAX_ATTEMPTS, claim
from settings import Settings
from tests.hotline.jobs.fakes import FakeMail, FakeSms

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
SUE = Recipient("user-900", "zh_CN", "+8613900000099", "sue@example.org")
BOB = Recipient("user-901", "en", "+447700900001", None)


def queue(db: Database, occasion: str, *people: Recipient, urgent: bool = True) -> None:
    with db.write() as writing:
        queue_text(
            writing,
            occasion,
            people,
            "risk-alert",
            NOW,
            urgent=urgent,
            line="city",
            call=1,
            arrived="12-01 10:00",
            link="https://hotline.example.org/calls/1",
        )


def states(db: Database) -> dict[str, str]:
    with db.read() as reading:
        rows = reading.execute(select(OutboxMessage.key, OutboxMessage.state)).all()
    return {key: state for key, state in rows}


def message(db: Database, key: str) -> OutboxMessage:
    with db.read() as reading:
        row = reading.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
        assert row is not None
        reading.expunge(row)
    return row


def send(db: Database, settings: Settings, outbound: Outbound, at: datetime = NOW) -> Any:
    return run_job(JobEnv(db, settings, outbound), "outbox-send", at)


def test_each_message_goes_once_to_each_channel_even_when_the_job_runs_twice(
    database: Database, settings: Settings
) -> None:
    sms, mail = FakeSms(), FakeMail()
    queue(database, "a", SUE, BOB)
    first = send(database, settings, Outbound(sms, mail))
    second = send(database, settings, Outbound(sms, mail))
    assert first.detail["messages"] == {"sent": 3}
    assert second.detail["messages"] == {}
    assert sorted(m.to for m in sms.sent) == ["+447700900001", "+8613900000099"]
    assert [m.to for m in mail.sent] == ["sue@example.org"]
    assert set(states(database).values()) == {"sent"}


def test_a_text_carries_the_signed_status_callback_and_the_recipients_language(
    database: Database, settings: Settings
) -> None:
    sms = FakeSms()
    queue(database, "a", SUE, BOB)
    send(database, settings, Outbound(sms, FakeMail()))
    by_number = {m.to: m for m in sms.sent}
    assert by_number["+8613900000099"].body.startswith("【热线】")
    assert by_number["+447700900001"].body.startswith("[Hotline]")
    assert {m.status_callback for m in sms.sent} == {
        "https://hotline.example.org/webhooks/sms/status"
    }


def test_record_mode_keeps_messages_as_sent_and_nothing_leaves(
    database: Database, settings: Settings
) -> None:
    queue(database, "a", SUE)
    result = send(database, settings, Outbound(None, None, record=True))
    assert result.detail["messages"] == {"sent": 2}
    assert set(states(database).values()) == {"sent"}


@pytest.mark.parametrize("code", ["21211", "21610", "21614", "30005", "30006", "30007"])
def test_an_error_retrying_cannot_fix_makes_it_undeliverable_at_once_and_tells_operators(
    database: Database, settings: Settings, world: Any, code: str
) -> None:
    world.user("olga", "operator", email="olga@example.org")
    sms = FakeSms(failure=SendFailure("refused", code=code, retryable=False), failures=1)
    queue(database, "a", BOB)
    send(database, settings, Outbound(sms, FakeMail()))
    found = states(database)
    assert found["a:user-901:sms"] == "undeliverable"
    reports = [key for key in found if key.startswith("report:message-")]
    assert len(reports) == 1
    assert reports[0].endswith(":email")


def test_a_retryable_error_backs_off_and_fails_for_good_after_the_last_attempt(
    database: Database, settings: Settings, world: Any
) -> None:
    world.user("olga", "operator", email="olga@example.org")
    busy = SendFailure("too many requests", code="20429", retryable=True)
    sms = FakeSms(failure=busy, failures=MAX_ATTEMPTS)
    queue(database, "a", BOB)
    at = NOW
    for attempt in range(1, MAX_ATTEMPTS + 1):
        send(database, settings, Outbound(sms, FakeMail()), at)
        row = message(database, "a:user-901:sms")
        assert row.attempts == attempt
        if attempt < MAX_ATTEMPTS:
            assert (row.state, row.due_at > at) == ("pending", True)
            # Not due yet: a run right now sends nothing.
            assert send(database, settings, Outbound(sms, FakeMail()), at).detail == {
                "messages": {}
            }
            at = row.due_at
    assert row.state == "failed"
    assert row.error == "20429: too many requests"
    assert any(k.startswith("report:message-") for k in states(database))


def test_a_provider_that_is_down_holds_up_neither_its_other_texts_nor_the_e_mail(
    database: Database, settings: Settings
) -> None:
    down = SendFailure("timed out", retryable=True)
    sms, mail = FakeSms(failure=down, failures=100), FakeMail()
    queue(database, "a", SUE, BOB)
    result = send(database, settings, Outbound(sms, mail))
    assert result.detail["messages"] == {"retry": 1, "held": 1, "sent": 1}
    assert [m.to for m in mail.sent] == ["sue@example.org"]
    with database.read() as reading:
        attempts = reading.scalars(
            select(OutboxMessage.attempts).where(OutboxMessage.channel == "sms")
        ).all()
    assert sorted(attempts) == [0, 1]  # the held one was never handed to the provider


def test_no_provider_for_a_channel_makes_its_messages_undeliverable(
    database: Database, settings: Settings
) -> None:
    queue(database, "a", SUE)
    send(database, settings, Outbound(None, None))
    assert set(states(database).values()) == {"undeliverable"}


def test_urgent_messages_go_first_and_a_daily_budget_holds_back_only_the_others(
    database: Database, settings: Settings
) -> None:
    for n in range(settings.message_budget_per_day + 2):
        queue(database, f"routine-{n:02d}", BOB, urgent=False)
    queue(database, "alarm", BOB, urgent=True)
    sms = FakeSms()
    send(database, settings, Outbound(sms, FakeMail()))
    assert sms.sent[0].body == sms.sent[-1].body
    assert len(sms.sent) == 21
    found = states(database)
    assert found["alarm:user-901:sms"] == "sent"
    held = [k for k, state in found.items() if state == "pending"]
    assert len(held) == 2  # held, never dropped: sent once the day's window frees up
    later = send(database, settings, Outbound(sms, FakeMail()), NOW + timedelta(hours=25))
    assert later.detail["messages"] == {"sent": 2}


def test_a_sender_that_died_mid_send_resends_urgent_and_marks_others_unknown(
    database: Database, settings: Settings, world: Any
) -> None:
    world.user("olga", "operator", email="olga@example.org")
    queue(database, "alarm", BOB, urgent=True)
    queue(database, "routine", BOB, urgent=False)
    with database.write() as writing:
        assert len(claim(writing, NOW, budget_per_day=20)) == 2  # ...and the process died
    sms = FakeSms()
    assert send(database, settings, Outbound(sms, FakeMail()), NOW + LEASE / 2).detail == {
        "messages": {}
    }  # the lease still holds: nobody else sends them
    after = send(database, settings, Outbound(sms, FakeMail()), NOW + LEASE + timedelta(seconds=1))
    assert after.detail["messages"] == {"resent-after-crash": 1, "unknown": 1, "sent": 2}
    found = states(database)
    assert found["alarm:user-901:sms"] == "sent"
    assert found["routine:user-901:sms"] == "unknown"
    assert [m.to for m in sms.sent] == ["+447700900001"]
