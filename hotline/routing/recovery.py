"""Applying the spool once the database answers again: each event as it would have been
applied at its time, in the order it was written (see `hotline.spool`).

A call sent to the fallback by an error is recorded as `error`, whichever of its spooled event
and its status callback is applied first. A bridged dial that could not be written is written
now, so the record says who took the call; the status callback that follows frees the
counselor. Each web process applies its database's spool itself, within seconds of the
database answering; the scheduler's `spool-load` job is only a backstop.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from hotline import deadline
from hotline.db import Database
from hotline.models import Call
from hotline.records.vocabulary import CallResult
from hotline.routing.calls import continue_call
from hotline.routing.inputs import DialOutcome, RoutingContext, StatusReport
from hotline.routing.status import record_status
from hotline.routing.store import Store
from hotline.spool import DIAL, FALLBACK, STATUS, Spool

log = logging.getLogger(__name__)

# Results that only say the call's end was not seen: an error fallback is the better truth.
_OVERWRITTEN = frozenset({CallResult.ROUTING, CallResult.UNKNOWN, CallResult.ABANDONED})
RETRY_SECONDS = 2.0
# A load is one transaction of many small events; a stalled database must not hold the loader
# (and a pooled connection) for ever: the watchdog breaks it and the next try comes.
LOAD_BUDGET_S = 30.0


def load_spool_when_back(database: Database, spool: Spool, ctx: RoutingContext) -> int:
    """Apply whatever was spooled, if the database answers; keep it for later if not."""
    if not spool.pending():
        return 0
    paths = spool.claim()
    events = spool.events(paths)
    try:
        with deadline.within(LOAD_BUDGET_S), database.write() as session:
            for event in events:
                _apply_one(session, ctx, event)
    except Exception:  # still down (or stalled past the budget): the files stay for the next try
        log.warning("the spool could not be applied yet; kept for the next try")
        return 0
    spool.discard(paths)
    if events:
        log.warning("applied %d event(s) spooled while the database failed", len(events))
    return len(events)


def _apply_one(session: Session, ctx: RoutingContext, event: dict[str, Any]) -> None:
    """One event in a savepoint: a malformed one is skipped (and logged), a database failure
    stops the whole load so that nothing is applied out of order."""
    try:
        with session.begin_nested():
            apply_event(session, ctx, event)
    except DBAPIError:
        raise
    except (LookupError, ValueError, TypeError, KeyError):
        log.exception(
            "a spooled %s event of call %s was skipped", event.get("event"), event["call_sid"]
        )


def apply_event(session: Session, ctx: RoutingContext, event: dict[str, Any]) -> None:
    at = datetime.fromisoformat(event["at"])
    kind, sid = event["event"], str(event["call_sid"])
    if kind == FALLBACK:
        _record_error_fallback(session, ctx, sid, str(event.get("to", "")), at)
    elif kind == STATUS:
        stamp = event.get("timestamp")
        report = StatusReport(
            sid,
            str(event["status"]),
            event.get("sequence"),
            event.get("duration_s"),
            datetime.fromisoformat(stamp) if stamp else None,
            str(event.get("to", "")),
            caller=None,  # never spooled
        )
        record_status(session, ctx, report, at)
    elif kind == DIAL:
        outcome = DialOutcome(
            sid,
            int(event["step"]),
            int(event["round"]),
            str(event["status"]),
            bool(event["bridged"]),
            event.get("dial_call_sid"),
            event.get("duration_s"),
        )
        continue_call(Store.of(session), ctx.lines.current(session), outcome, at)


def _record_error_fallback(
    session: Session, ctx: RoutingContext, sid: str, to: str, at: datetime
) -> None:
    call = session.scalar(select(Call).where(Call.call_sid == sid))
    if call is None:
        line = ctx.lines.current(session).for_number(to)
        session.add(
            Call(
                call_sid=sid,
                hotline_id=line.id if line else None,
                caller="unknown",
                arrived_at=at,
                status="unknown",
                result=CallResult.ERROR,
                plan=[],
                dial_step=None,
                dial_round=None,
            )
        )
        return
    if call.result in _OVERWRITTEN:
        call.result, call.dial_step, call.dial_round = CallResult.ERROR, None, None


class SpoolLoader:
    """One thread per process that retries the spool every two seconds while it has events,
    so a recovery needs no request and no scheduler to be applied."""

    def __init__(self, database: Callable[[], Database], spool: Spool, ctx: RoutingContext) -> None:
        self.database, self.spool, self.ctx = database, spool, ctx
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()

    def wake(self) -> None:
        """Make sure the thread runs (after something was spooled, or at start). A database
        bound to one connection (a test's transaction) is never shared with a thread."""
        if self.database().is_bound:
            return
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._run, name="spool-loader", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(RETRY_SECONDS):
            if not self.spool.pending():
                return
            load_spool_when_back(self.database(), self.spool, self.ctx)
