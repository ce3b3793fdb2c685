"""Queueing outbound messages: one row per message, keyed, so queueing is idempotent.

The key names the occasion and the recipient: saving an outcome twice, a job running twice,
or two schedulers reaching the same occasion queue nothing twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, exists, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.models import OutboxMessage, User, UserHotline
from hotline.models.base import Base
from hotline.outbound.texts import render

SMS, EMAIL = "sms", "email"
_CHUNK = 500  # keys per IN list
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


def message_key(occasion: str, recipient_ref: str, channel: str) -> str:
    """The idempotency key of one message: the occasion, the recipient and the channel."""
    return f"{occasion}:{recipient_ref}:{channel}"[:200]


@dataclass(frozen=True, slots=True)
class Notice:
    """`template` to one recipient (on each of their channels); keyed by `occasion`."""

    occasion: str
    recipient: Recipient
    template: str
    values: dict[str, Any]
    urgent: bool
    with_link: bool = True
    hotline_id: int | None = None
    call_id: int | None = None
    alert_id: int | None = None
    shift_confirmation_id: int | None = None


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
    returns how many messages were new (see `queue_notices`)."""
    links = {"hotline_id": hotline_id, "call_id": call_id, "alert_id": alert_id}
    links |= {"shift_confirmation_id": shift_confirmation_id}
    made = [Notice(occasion, p, template, values, urgent, with_link, **links) for p in recipients]
    return queue_notices(session, made, now)


def queue_notices(session: Session, notices: Iterable[Notice], now: datetime) -> int:
    """Queue each notice unless its key (`message_key`) is queued already: one lookup and one
    insert per batch, so a week of shifts queues in a moment. Returns how many were new."""
    rows: dict[str, dict[str, Any]] = {}
    for notice in notices:
        for row in _rows(notice, now):
            rows.setdefault(row["key"], row)  # the first of two equal keys, as one by one
    queued = _queued(session, list(rows))
    new = [row for key, row in rows.items() if key not in queued]
    if new:
        insert_missing(session, OutboxMessage, new, ["key"])
    return len(new)


def insert_missing(
    session: Session, model: type[Base], rows: list[dict[str, Any]], unique: list[str]
) -> None:
    """Insert `rows` in one statement; a row whose `unique` columns another transaction has
    inserted meanwhile is left out (a second scheduler at the same moment), not an error."""
    dialect = session.get_bind().dialect.name
    build = pg_insert if dialect == "postgresql" else sqlite_insert
    # The table, not the mapped class: one executemany of uniform rows, no ORM bookkeeping.
    table = cast(Table, model.__table__)
    session.execute(build(table).on_conflict_do_nothing(index_elements=unique), rows)


def _queued(session: Session, keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        found.update(session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.in_(chunk))))
    return found


def _rows(notice: Notice, now: datetime) -> list[dict[str, Any]]:
    person = notice.recipient
    subject, body = render(
        notice.template, person.language, with_link=notice.with_link, **notice.values
    )
    return [
        {
            "key": message_key(notice.occasion, person.ref, channel),
            "kind": notice.template,
            "channel": channel,
            "urgent": notice.urgent,
            "recipient_user_id": person.user_id,
            "recipient_counselor_id": person.counselor_id,
            "address": address,
            "hotline_id": notice.hotline_id,
            "call_id": notice.call_id,
            "alert_id": notice.alert_id,
            "shift_confirmation_id": notice.shift_confirmation_id,
            "subject": subject[:200],
            "body": body,
            "state": "pending",
            "attempts": 0,
            "created_at": now,
            "due_at": now,
        }
        for channel, address in person.channels()
    ]
