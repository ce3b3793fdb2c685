"""Busy counselors as leases: reserved while rung, held while bridged, free once expired.

A claim (`Store.claim`, on the routing hot path) is one conditional UPDATE that also takes an
expired lease, so it is atomic on both SQLite and PostgreSQL, and a lost callback frees the
counselor by itself when the lease ends.

Counselors may share one phone (a duty mobile): then the lease belongs to the phone. A claim is
refused while another counselor with the same phone holds an unexpired lease, so the phone is
never rung for two calls at once, nor twice in one round.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import (
    Integer,
    Table,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import Update

from hotline.models import Counselor

RING_MARGIN = timedelta(seconds=15)
BRIDGE_LEASE = timedelta(hours=4)


def claim_statement() -> Update:
    """The claim, with parameters `k` (the counselor), `sid` (the call), `until`, `now`.

    PostgreSQL: the rows of the phone are locked inside the statement (`FOR NO KEY UPDATE SKIP
    LOCKED` in the subquery) and read in their latest committed state once locked. The claim
    succeeds only if it locked every row of the phone and none of them holds another call's
    lease: a row another transaction has locked is one a concurrent call is claiming or
    releasing right now, so the counselor is busy elsewhere for this round. A claim thus never
    waits for a row lock, and calls that claim the same counselors in different orders cannot
    deadlock (they did under a burst: PostgreSQL broke each cycle after a second, and the call
    it chose went to the fallback). `NO KEY` is the strength an UPDATE of these columns takes
    anyway; it lets other calls insert attempts that refer to a locked counselor (a foreign
    key check takes `KEY SHARE`), which `FOR UPDATE` made a second way to deadlock. The test is
    an aggregate over the locked rows, not a filter the planner could push below the lock.
    SQLite takes writes one at a time, without `FOR UPDATE`.
    """
    staff = cast(Table, Counselor.__table__)
    mine, sharing, every = staff.alias("mine"), staff.alias("sharing"), staff.alias("every")
    phone = select(mine.c.phone).where(mine.c.key == bindparam("k")).scalar_subquery()
    same_phone = (
        select(sharing.c.key, sharing.c.busy_call_sid, sharing.c.busy_until)
        .where(sharing.c.phone == phone)
        .order_by(sharing.c.id)
        .with_for_update(skip_locked=True, key_share=True)
        .subquery("same_phone")
    )
    leased = and_(
        same_phone.c.key != bindparam("k"),
        same_phone.c.busy_call_sid.is_not(None),
        or_(same_phone.c.busy_until.is_(None), same_phone.c.busy_until > bindparam("now")),
    )
    # SQL literals, not parameters: the hot path passes exactly k, sid, until and now.
    one, zero = literal_column("1", Integer), literal_column("0", Integer)
    locked_and_unleased = select(func.coalesce(func.sum(case((leased, zero), else_=one)), zero))
    phone_rows = select(func.count()).where(every.c.phone == phone)
    free = or_(
        staff.c.busy_call_sid.is_(None),
        staff.c.busy_until <= bindparam("now"),
        staff.c.busy_call_sid == bindparam("sid"),
    )
    return (
        update(staff)
        .where(staff.c.key == bindparam("k"), staff.c.active.is_(true()), free)
        .where(
            locked_and_unleased.select_from(same_phone).scalar_subquery()
            == phone_rows.scalar_subquery()
        )
        .values(busy_call_sid=bindparam("sid"), busy_until=bindparam("until"))
    )


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
