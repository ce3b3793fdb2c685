"""The statements of the call-routing hot path, built once and run as Core on the session's
connection: a webhook has 15 s in all and the ORM's per-statement work is most of its cost.

`CallState` is the part of a call record that routing reads and writes; an ORM `Call` has the
same attributes, so the routing logic takes either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.orm import Session

from hotline.models import Call, CallAttempt, Counselor

_calls = cast(Table, Call.__table__)
_attempts = cast(Table, CallAttempt.__table__)
_counselors = cast(Table, Counselor.__table__)

_CALL_BY_SID = select(
    _calls.c.id, _calls.c.call_sid, _calls.c.hotline_id, _calls.c.arrived_at, _calls.c.plan,
    _calls.c.result, _calls.c.dial_step, _calls.c.dial_round,
).where(_calls.c.call_sid == bindparam("sid"))  # fmt: skip
_INSERT_CALL = insert(_calls).returning(_calls.c.id)
_INSERT_ATTEMPTS = insert(_attempts)
_STAFF = select(
    _counselors.c.key, _counselors.c.id, _counselors.c.phone, _counselors.c.active,
    _counselors.c.busy_call_sid, _counselors.c.busy_until,
).where(_counselors.c.key.in_(bindparam("keys", expanding=True)))  # fmt: skip


class RoutedCall(Protocol):
    """What routing needs of a call record: an ORM `Call`, or a `CallState` not yet saved."""

    call_sid: str
    hotline_id: int | None
    arrived_at: datetime
    plan: list[dict[str, Any]]
    result: str
    dial_step: int | None
    dial_round: int | None


@dataclass(slots=True)
class CallState:
    id: int | None
    call_sid: str
    hotline_id: int | None
    arrived_at: datetime
    plan: list[dict[str, Any]]
    result: str
    dial_step: int | None = None
    dial_round: int | None = None


@dataclass(frozen=True, slots=True)
class Person:
    key: str
    id: int
    phone: str
    active: bool
    busy_call_sid: str | None
    busy_until: datetime | None


def call_by_sid(session: Session, call_sid: str) -> CallState | None:
    row = session.connection().execute(_CALL_BY_SID, {"sid": call_sid}).first()
    return None if row is None else CallState(*row)


def insert_call(session: Session, state: CallState, **columns: Any) -> int:
    """Insert the new call as routing leaves it, with the record's other columns."""
    values = {
        "call_sid": state.call_sid, "hotline_id": state.hotline_id,
        "arrived_at": state.arrived_at, "plan": state.plan, "result": state.result,
        "dial_step": state.dial_step, "dial_round": state.dial_round, **columns,
    }  # fmt: skip
    state.id = int(session.connection().execute(_INSERT_CALL, values).scalar_one())
    return state.id


def insert_attempts(session: Session, call_id: int, rows: list[dict[str, Any]]) -> None:
    if rows:
        session.connection().execute(
            _INSERT_ATTEMPTS, [{**row, "call_id": call_id} for row in rows]
        )


def staff(session: Session, keys: set[str]) -> dict[str, Person]:
    rows = session.connection().execute(_STAFF, {"keys": sorted(keys)})
    return {row.key: Person(*row) for row in rows}
