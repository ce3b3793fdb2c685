"""The daily budget per recipient for non-urgent messages: a reminder storm never buries a
person, and carriers that filter repeated texts (mainland China) see fewer. Urgent messages
are never counted against it nor held back by it; held messages wait, they are never dropped.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.models import OutboxMessage

WINDOW = timedelta(hours=24)


def over_budget(
    session: Session,
    candidates: list[tuple[int, bool, str | None]],
    now: datetime,
    budget: int,
) -> set[int]:
    """Of (id, urgent, address) candidates in sending order, the non-urgent ones that would
    take their address past `budget` messages sent in the last 24 hours."""
    addresses = sorted({a for _, urgent, a in candidates if not urgent and a})
    if not addresses:
        return set()
    sent: Counter[str] = Counter()
    for address, count in session.execute(
        select(OutboxMessage.address, func.count())
        .where(
            OutboxMessage.address.in_(addresses),
            OutboxMessage.urgent.is_(False),
            OutboxMessage.sent_at >= now - WINDOW,
        )
        .group_by(OutboxMessage.address)
    ):
        sent[address or ""] = count
    held: set[int] = set()
    for message_id, urgent, address in candidates:
        if urgent or not address:
            continue
        if sent[address] >= budget:
            held.add(message_id)
        else:
            sent[address] += 1
    return held
