"""Queueing outbound messages: one row per message, keyed, so queueing is idempotent.

The key names the occasion and the recipient: saving an outcome twice, a job running twice,
or two schedulers reaching the same occasion queue nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.models import OutboxMessage, User, UserHotline
from hotline.outbound.texts import render

SMS, EMAIL = "sms", "email"
STATES = (
    "pending",
    "sending",
    "sent",
    "delivered",
    "failed",
    "undeliverable",
    "unknown",
    "cancelled",
)


@dataclass(frozen=True, slots=True)
class Recipient:
    """Someone a message goes to: a user, or a counselor (the psychiatrist on duty)."""

    ref: str  # user-7 / counselor-3: part of the message key
    language: str | None
    phone: str | None
    email: str | None
    user_id: int | None = None
    counselor_id: int | None = None

    def channels(self) -> list[tuple[str, str]]:
        found = [(SMS, self.phone), (EMAIL, self.email)]
        return [(channel, address) for channel, address in found if address]


def user_recipient(user: User) -> Recipient:
    return Recipient(f"user-{user.id}", user.language, user.phone, user.email, user_id=user.id)


def line_users(session: Session, roles: Iterable[str], line_ids: list[int] | None) -> list[User]:
    """Active users of these roles scoped to any of these lines, unscoped users included;
    `line_ids` None: every active user of these roles."""
    query = select(User).where(User.role.in_(list(roles)), User.active.is_(True))
    if line_ids is not None:
        scoped = select(UserHotline.user_id).where(UserHotline.user_id == User.id)
        on_line = scoped.where(UserHotline.hotline_id.in_(line_ids))
        query = query.where(or_(~exists(scoped), exists(on_line)))
    return list(session.scalars(query.order_by(User.id)))


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


def queue_text(
    session: Session,
    occasion: str,
    recipients: Iterable[Recipient],
    template: str,
    now: datetime,
    *,
    urgent: bool,
    with_link: bool = True,
    hotline_id: int | None = None,
    call_id: int | None = None,
    alert_id: int | None = None,
    shift_confirmation_id: int | None = None,
    **values: Any,
) -> int:
    """Queue `template` to each recipient on each of their channels, in their language;
    the key is `occasion:recipient:channel`. Returns how many were new."""
    added = 0
    for person in recipients:
        subject, body = render(template, person.language, with_link=with_link, **values)
        for channel, address in person.channels():
            added += queue(
                session,
                OutboxMessage(
                    key=f"{occasion}:{person.ref}:{channel}"[:200],
                    kind=template,
                    channel=channel,
                    urgent=urgent,
                    recipient_user_id=person.user_id,
                    recipient_counselor_id=person.counselor_id,
                    address=address,
                    hotline_id=hotline_id,
                    call_id=call_id,
                    alert_id=alert_id,
                    shift_confirmation_id=shift_confirmation_id,
                    subject=subject[:200],
                    body=body,
                    state="pending",
                    attempts=0,
                    created_at=now,
                    due_at=now,
                ),
            )
    return added
