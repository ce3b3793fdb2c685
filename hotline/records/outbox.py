"""The outbox: messages to send later (a scheduler sends them), one row each, keyed.

Queueing is idempotent: the key names the occasion and the recipient, so saving an outcome
twice, or a job running twice, queues nothing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import exists, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.models import Call, Hotline, OutboxMessage, User, UserHotline
from hotline.records.scope import Viewer, visible_calls

RISK_ALERT = "risk-alert"


@dataclass(frozen=True, slots=True)
class PendingAlert:
    call_id: int
    line: str | None
    arrived_at: datetime
    timezone: str
    queued_at: datetime


def queue(session: Session, message: OutboxMessage) -> bool:
    """Add `message` unless one with its key exists; True when it was added."""
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == message.key)):
        return False
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:  # queued concurrently by another transaction
        return False
    return True


def line_supervisors(session: Session, line_ids: list[int]) -> list[User]:
    """Active supervisors of any of these lines, unscoped supervisors included."""
    scoped = select(UserHotline.user_id).where(UserHotline.user_id == User.id)
    on_line = scoped.where(UserHotline.hotline_id.in_(line_ids))
    return list(
        session.scalars(
            select(User)
            .where(User.role == "supervisor", User.active.is_(True))
            .where(or_(~exists(scoped), exists(on_line)))
            .order_by(User.id)
        )
    )


def queue_risk_alert(
    session: Session, call: Call, risk: str, now: datetime, public_url: str
) -> int:
    """Alert the supervisors of the call's line (and of the line that answered it)."""
    line = session.get(Hotline, call.hotline_id) if call.hotline_id else None
    line_ids = [i for i in (call.hotline_id, call.answered_line_id) if i is not None]
    local = call.arrived_at.astimezone(ZoneInfo(line.timezone if line else "UTC"))
    subject = f"高风险来电 / High-risk call #{call.id} ({risk})"
    body = (
        f"{line.name if line else '-'} {local:%Y-%m-%d %H:%M}: {subject}. "
        f"{public_url}/calls/{call.id}"
    )
    recipients: list[tuple[User | None, str, str | None]] = [
        (user, channel, address)
        for user in line_supervisors(session, line_ids)
        for channel, address in _channels(user)
    ] or [(None, "web", None)]
    added = 0
    for user, channel, address in recipients:
        recipient = f"user-{user.id}" if user else "line"
        added += queue(
            session,
            OutboxMessage(
                key=f"{RISK_ALERT}:call-{call.id}:{recipient}:{channel}",
                kind=RISK_ALERT,
                channel=channel,
                recipient_user_id=user.id if user else None,
                address=address,
                hotline_id=call.hotline_id,
                call_id=call.id,
                subject=subject,
                body=body,
                state="pending",
                attempts=0,
                created_at=now,
            ),
        )
    return added


def _channels(user: User) -> list[tuple[str, str | None]]:
    found = [("sms", user.phone), ("email", user.email)]
    return [(c, a) for c, a in found if a] or [("web", None)]


def pending_alerts(session: Session, viewer: Viewer, limit: int = 50) -> list[PendingAlert]:
    """Unsent risk alerts about calls this viewer may see, newest first, one per call."""
    found = session.execute(
        select(
            Call.id,
            Hotline.key,
            Call.arrived_at,
            Hotline.timezone,
            func.min(OutboxMessage.created_at),
        )
        .join(Call, Call.id == OutboxMessage.call_id)
        .outerjoin(Hotline, Hotline.id == Call.hotline_id)
        .where(OutboxMessage.kind == RISK_ALERT, OutboxMessage.state == "pending")
        .where(visible_calls(viewer))
        .group_by(Call.id, Hotline.key, Call.arrived_at, Hotline.timezone)
        .order_by(Call.arrived_at.desc())
        .limit(limit)
    )
    return [PendingAlert(i, line, at, tz or "UTC", queued) for i, line, at, tz, queued in found]


def list_messages(session: Session, limit: int = 500) -> list[dict[str, Any]]:
    """The newest messages with their state, for `hotline outbox list`."""
    rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit))
    return [
        {
            "key": m.key,
            "kind": m.kind,
            "channel": m.channel,
            "state": m.state,
            "attempts": m.attempts,
            "call": m.call_id,
            "subject": m.subject,
            "created_at": m.created_at.isoformat(),
            "sent_at": m.sent_at.isoformat() if m.sent_at else None,
        }
        for m in rows
    ]
