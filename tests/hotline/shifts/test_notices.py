"""Queueing a batch: each key once, even when another scheduler queued some of them meanwhile."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import OutboxMessage
from hotline.outbound.outbox import Notice, Recipient, insert_missing, queue_notices, queue_text

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
AMY = Recipient("counselor-1", "en", "+8613900000021", "amy@example.org")
BOB = Recipient("counselor-2", "zh-CN", "+8613900000022", None)
VALUES: dict[str, Any] = {
    "line": "Night Line",
    "tier": 1,
    "start": "12-01 20:00",
    "end": "12-02 08:00",
}


def notice(person: Recipient, occasion: str = "shift-reminder:line:amy:t1:x") -> Notice:
    return Notice(occasion, person, "shift-reminder", VALUES, urgent=False, with_link=True)


def keys(session: Session) -> list[str]:
    return list(session.scalars(select(OutboxMessage.key).order_by(OutboxMessage.key)))


def test_a_batch_queues_each_channel_of_each_recipient_once_in_their_language(
    session: Session,
) -> None:
    assert queue_notices(session, [notice(AMY), notice(BOB), notice(AMY)], NOW) == 3
    assert queue_notices(session, [notice(AMY), notice(BOB)], NOW) == 0
    assert keys(session) == [
        "shift-reminder:line:amy:t1:x:counselor-1:email",
        "shift-reminder:line:amy:t1:x:counselor-1:sms",
        "shift-reminder:line:amy:t1:x:counselor-2:sms",
    ]
    bodies = session.scalars(select(OutboxMessage.body).order_by(OutboxMessage.id)).all()
    assert bodies[0].startswith("[Hotline] Reminder: your Night Line shift")
    assert bodies[2].startswith("【热线】提醒：您在 Night Line 的值班")


def test_a_batch_and_one_by_one_queueing_share_their_keys(session: Session) -> None:
    queue_text(
        session,
        "shift-reminder:line:amy:t1:x",
        [AMY],
        "shift-reminder",
        NOW,
        urgent=False,
        **VALUES,
    )
    assert queue_notices(session, [notice(AMY), notice(BOB)], NOW) == 1


def test_rows_another_scheduler_inserted_meanwhile_are_left_out_without_an_error(
    session: Session,
) -> None:
    queue_notices(session, [notice(BOB)], NOW)
    [theirs] = session.scalars(select(OutboxMessage)).all()
    row = {
        c.name: getattr(theirs, c.name) for c in OutboxMessage.__table__.columns if c.name != "id"
    }
    mine = {**row, "key": "another:key", "body": "mine"}
    insert_missing(session, OutboxMessage, [{**row, "body": "mine"}, mine], ["key"])
    session.expire_all()
    found = {
        key: body for key, body in session.execute(select(OutboxMessage.key, OutboxMessage.body))
    }
    assert found[theirs.key] != "mine"  # the first one queued stays as it was
    assert found["another:key"] == "mine"
