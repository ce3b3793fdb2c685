"""Delivery reports from the SMS provider (`/webhooks/sms/status`): idempotent, never backward.

Callbacks repeat and arrive out of order: states are ranked and a report that does not move a
message forward changes nothing. A report names the provider's message; once a message is sent
again (after a retryable failure), reports about its earlier try no longer match it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import OutboxMessage
from hotline.outbound.sending import MAX_ATTEMPTS, backoff, tell_operators
from hotline.outbound.twilio_codes import is_retryable_code

_RANK = {"queued": 0, "accepted": 0, "scheduled": 0, "sending": 1, "sent": 2}
_TERMINAL = frozenset({"delivered", "undelivered", "failed", "read", "canceled"})


def rank(status: str | None) -> int:
    if status in _TERMINAL:
        return 4
    if status == "partially_delivered":
        return 3
    return _RANK.get(status or "", -1)


def record_delivery(
    session: Session,
    reference: str,
    status: str,
    error_code: str | None,
    now: datetime,
    public_url: str,
) -> bool:
    """Apply one report; False when it changed nothing (unknown, repeated or stale)."""
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.provider_ref == reference))
    if row is None or rank(status) <= rank(row.delivery_status) or rank(status) < 0:
        return False
    row.delivery_status = status
    if row.state != "sent":
        return True  # already settled (cancelled, retried...): the report is kept, no more
    if status in ("delivered", "read"):
        row.state, row.finished_at = "delivered", now
    elif status in ("undelivered", "failed", "canceled"):
        _failed(session, row, error_code, now, public_url)
    return True


def _failed(
    session: Session, row: OutboxMessage, code: str | None, now: datetime, public_url: str
) -> None:
    """A failure a later try may mend goes back to pending, but for a message whose address
    is gone: a sealed one (a caller's reminder number) was erased when it was sent, so it
    finishes here with the carrier's verdict, and the error says it is not sent again."""
    row.error = f"{code}: the carrier did not deliver it" if code else "not delivered"
    retryable = is_retryable_code(code)
    if retryable and row.address is None:
        row.error += "; not sent again: its number was erased once it was sent"
    elif retryable and row.attempts < MAX_ATTEMPTS:
        row.state, row.due_at = "pending", now + backoff(row.attempts)
        return
    row.state = "failed" if retryable else "undeliverable"
    row.finished_at = now
    tell_operators(session, row, now, public_url)
