"""Follow-up care in counts, for the statistics page and the yearly report (which apply their
own small-count suppression to these raw counts before anything is shown or leaves).

Bookings are counted by when they were made, referrals by when they were proposed, both within
[start, end); `line_ids` None: every line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.care.vocabulary import BOOKING_STATES
from hotline.models import Booking, Partner, Referral


@dataclass(frozen=True, slots=True)
class ReferralCount:
    partner: str  # the partner's key
    urgency: str
    result: str  # the referral's state now: closed ones carry their result
    count: int


def appointment_counts(
    session: Session, line_ids: list[int] | None, start: datetime, end: datetime
) -> dict[str, int]:
    """`booked` (every booking made), and of those `attended`, `missed`, `cancelled` and
    `open` (still waiting for their session or its mark)."""
    query = (
        select(Booking.state, func.count(Booking.id))
        .where(Booking.booked_at >= start, Booking.booked_at < end)
        .group_by(Booking.state)
    )
    found = {state: n for state, n in session.execute(_on(query, Booking.hotline_id, line_ids))}
    counts = {state: int(found.get(state, 0)) for state in BOOKING_STATES}
    return {
        "booked": sum(counts.values()),
        "attended": counts["attended"],
        "missed": counts["missed"],
        "cancelled": counts["cancelled"],
        "open": counts["booked"],
    }


def referral_counts(
    session: Session, line_ids: list[int] | None, start: datetime, end: datetime
) -> list[ReferralCount]:
    """Referrals by partner, urgency and result (state), largest first."""
    query = (
        select(Partner.key, Referral.urgency, Referral.state, func.count(Referral.id))
        .join(Partner, Partner.id == Referral.partner_id)
        .where(Referral.created_at >= start, Referral.created_at < end)
        .group_by(Partner.key, Referral.urgency, Referral.state)
    )
    rows = session.execute(_on(query, Referral.hotline_id, line_ids)).all()
    found = [ReferralCount(p, u, s, int(n)) for p, u, s, n in rows]
    return sorted(found, key=lambda c: (-c.count, c.partner, c.urgency, c.result))


def _on(query: Any, column: Any, line_ids: list[int] | None) -> Any:
    return query if line_ids is None else query.where(column.in_(line_ids))
