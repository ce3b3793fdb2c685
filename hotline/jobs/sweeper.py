"""`lease-sweeper`: tidy what lost callbacks left behind.

Routing never needs it (a lease is checked for expiry when a counselor is claimed), but the
records and the pages should not show counselors busy on calls that ended hours ago, nor calls
forever "in progress". A call still routing after the longest call Twilio allows is closed as
`unknown`: its callbacks never came, and the record says so instead of guessing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from hotline.jobs.env import JobEnv
from hotline.models import Call, CallAttempt, Counselor
from hotline.records.vocabulary import CallResult
from hotline.routing.leases import BRIDGE_LEASE

LOST = "unknown"


def lease_sweeper(env: JobEnv, now: datetime) -> dict[str, Any]:
    with env.database.write() as db:
        freed = db.execute(
            update(Counselor)
            .where(Counselor.busy_until < now)
            .values(busy_call_sid=None, busy_until=None)
            .execution_options(synchronize_session=False)
        )
        lost = Call.arrived_at < now - BRIDGE_LEASE
        stuck = list(db.scalars(select(Call.id).where(Call.result == CallResult.ROUTING, lost)))
        if stuck:
            db.execute(
                update(CallAttempt)
                .where(CallAttempt.call_id.in_(stuck), CallAttempt.result.is_(None))
                .values(result=LOST)
                .execution_options(synchronize_session=False)
            )
            db.execute(
                update(Call)
                .where(Call.id.in_(stuck))
                .values(result=LOST, dial_step=None, dial_round=None)
                .execution_options(synchronize_session=False)
            )
    return {"leases_freed": int(getattr(freed, "rowcount", 0) or 0), "calls_closed": len(stuck)}
