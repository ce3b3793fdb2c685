"""The message list of `hotline outbox list` (queueing and sending live in `hotline.outbound`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Counselor, OutboxMessage, User


def list_messages(session: Session, limit: int = 500) -> list[dict[str, Any]]:
    """The newest messages with their state, for `hotline outbox list` (CONTRACT's keys, and
    never an address: the recipient is named by account or counselor key)."""
    rows = session.execute(
        select(OutboxMessage, User.username, Counselor.key)
        .outerjoin(User, User.id == OutboxMessage.recipient_user_id)
        .outerjoin(Counselor, Counselor.id == OutboxMessage.recipient_counselor_id)
        .order_by(OutboxMessage.id.desc())
        .limit(limit)
    )
    return [
        {
            "key": m.key,
            "kind": m.kind,
            "channel": m.channel,
            "state": m.state,
            "urgent": m.urgent,
            "recipient": username or counselor,
            "attempts": m.attempts,
            "call": m.call_id,
            "subject": m.subject,
            "error": m.error,
            "created_at": m.created_at.isoformat(),
            "due_at": m.due_at.isoformat(),
            "sent_at": m.sent_at.isoformat() if m.sent_at else None,
            "finished_at": m.finished_at.isoformat() if m.finished_at else None,
        }
        for m, username, counselor in rows
    ]
