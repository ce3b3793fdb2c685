"""Busy counselors as leases: reserved while rung, held while bridged, free once expired.

A claim (`Store.claim`, on the routing hot path) is one conditional UPDATE that also takes an
expired lease, so it is atomic on both SQLite and PostgreSQL, and a lost callback frees the
counselor by itself when the lease ends.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

from sqlalchemy import and_, update
from sqlalchemy.orm import Session

from hotline.models import Counselor

RING_MARGIN = timedelta(seconds=15)
BRIDGE_LEASE = timedelta(hours=4)


def hold(session: Session, key: str, call_sid: str, now: datetime) -> None:
    """The counselor took the call: keep them busy for the longest call Twilio allows."""
    session.execute(
        update(Counselor)
        .where(Counselor.key == key, Counselor.busy_call_sid == call_sid)
        .values(busy_until=now + BRIDGE_LEASE)
        .execution_options(synchronize_session=False)
    )


def release(session: Session, call_sid: str, keys: Collection[str] | None = None) -> None:
    """Free the counselors `call_sid` holds (only `keys`, when given)."""
    condition = Counselor.busy_call_sid == call_sid
    if keys is not None:
        condition = and_(condition, Counselor.key.in_(list(keys)))
    session.execute(
        update(Counselor)
        .where(condition)
        .values(busy_call_sid=None, busy_until=None)
        .execution_options(synchronize_session=False)
    )
