"""The operators' view of the outbox: a page of messages (scoped to their lines), and retrying
a message that did not go. No addresses: staff phone numbers and e-mails stay out of the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, false, or_, select, true, update
from sqlalchemy.orm import Session

from hotline.models import Counselor, Hotline, OutboxMessage, RiskAlert, User
from hotline.records.scope import Viewer

PAGE_SIZE = 50
RETRYABLE = ("failed", "undeliverable", "unknown", "cancelled")
# Kinds whose body carries a call's number and line: operators see the subject only.
CLINICAL_KINDS = frozenset({"risk-alert"})
# Kinds whose body is nobody's business here: the caller's appointment reminder (its code).
PRIVATE_KINDS = frozenset({"care-reminder"})
OPERATIONS_ROLES = frozenset({"admin", "operator"})


@dataclass(frozen=True, slots=True)
class MessageRow:
    id: int
    created_at: datetime
    timezone: str
    kind: str
    channel: str
    recipient: str | None  # a username or a counselor's name, never the address
    state: str
    attempts: int
    error: str | None
    due_at: datetime
    subject: str
    body: str | None  # None: not for this viewer
    retryable: bool


@dataclass(frozen=True, slots=True)
class MessagePage:
    rows: list[MessageRow]
    page: int
    has_next: bool


def visible_messages(viewer: Viewer) -> ColumnElement[bool]:
    """Admins and unscoped operators: every message; scoped operators: their lines' messages
    and those of no line (reports, job misses). Nobody else."""
    if viewer.role not in OPERATIONS_ROLES:
        return false()
    if viewer.role == "admin" or viewer.line_ids is None:
        return true()
    lines = sorted(viewer.line_ids)
    return or_(OutboxMessage.hotline_id.is_(None), OutboxMessage.hotline_id.in_(lines))


def _settled_alert() -> ColumnElement[bool]:
    """The message's alert was acknowledged or cancelled: sending it again would page
    someone about something already dealt with."""
    return and_(
        RiskAlert.id.is_not(None),
        or_(RiskAlert.acknowledged_at.is_not(None), RiskAlert.cancelled_at.is_not(None)),
    )


def outbox_page(session: Session, viewer: Viewer, state: str | None, page: int) -> MessagePage:
    """Newest first, `PAGE_SIZE` a page, optionally only messages in `state`."""
    query = (
        select(OutboxMessage, User.username, Counselor.name, Hotline.timezone, _settled_alert())
        .outerjoin(User, User.id == OutboxMessage.recipient_user_id)
        .outerjoin(Counselor, Counselor.id == OutboxMessage.recipient_counselor_id)
        .outerjoin(Hotline, Hotline.id == OutboxMessage.hotline_id)
        .outerjoin(RiskAlert, RiskAlert.id == OutboxMessage.alert_id)
        .where(visible_messages(viewer))
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE + 1)
    )
    if state:
        query = query.where(OutboxMessage.state == state)
    found = session.execute(query).all()
    rows = [
        _row(viewer, message, username or counselor, zone, bool(settled))
        for message, username, counselor, zone, settled in found[:PAGE_SIZE]
    ]
    return MessagePage(rows, page, len(found) > PAGE_SIZE)


def _row(
    viewer: Viewer, message: OutboxMessage, recipient: str | None, zone: str | None, settled: bool
) -> MessageRow:
    hidden = (viewer.role != "admin" and message.kind in CLINICAL_KINDS) or (
        message.kind in PRIVATE_KINDS
    )
    return MessageRow(
        id=message.id,
        created_at=message.created_at,
        timezone=zone or "UTC",
        kind=message.kind,
        channel=message.channel,
        recipient=recipient,
        state=message.state,
        attempts=message.attempts,
        error=message.error,
        due_at=message.due_at,
        subject=message.subject,
        body=None if hidden else message.body,
        retryable=message.state in RETRYABLE and not settled,
    )


def retry(session: Session, viewer: Viewer, message_id: int, now: datetime) -> bool | None:
    """Queue the message again (due now, attempts kept). None: not a message this viewer
    sees; False: it is not in a state to retry (or its alert is settled)."""
    found = session.execute(
        select(OutboxMessage.id, _settled_alert())
        .outerjoin(RiskAlert, RiskAlert.id == OutboxMessage.alert_id)
        .where(OutboxMessage.id == message_id, visible_messages(viewer))
    ).first()
    if found is None:
        return None
    if found[1]:
        return False
    # Conditional on the state: a sender that claimed it meanwhile keeps it.
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.state.in_(RETRYABLE))
        .values(
            state="pending",
            due_at=now,
            error=None,
            lease_until=None,
            claim=None,
            finished_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))
