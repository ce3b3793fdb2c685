"""The live board of a wall screen: who is on duty now per tier and whether they are ringing or
on a call, the calls ringing or in progress, the next gap, the shifts not confirmed.

Never caller data: a call is its line, its state and how long it has lasted, nothing else (no
id, no pseudonym). Counselors' phones are left out too: the board hangs on a wall.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.duty import DutyIndex
from hotline.models import Call, CallAttempt, Counselor, Hotline, ShiftConfirmation
from hotline.records.vocabulary import AttemptResult, CallResult
from hotline.rota_answers import utc_text
from rota.coverage import find_gaps
from rota.service_hours import gaps_in_service, read_service_hours

GAP_DAYS = 7
# A call not ended after this long lost its callbacks (the bridged lease is 4 h as well).
LIVE_FOR = timedelta(hours=4)
_TAKEN = (AttemptResult.ACCEPTED, AttemptResult.BRIDGED)
FREE, RINGING, ON_CALL = "free", "ringing", "on-call"
# Only recent rows are read: a shift is asked near its start, and none lasts longer than this.
_LONGEST_SHIFT = timedelta(days=3)


@dataclass(frozen=True, slots=True)
class BoardLine:
    id: int
    key: str
    name: str
    timezone: str
    service_hours: list[dict[str, Any]] | None


def board_lines(session: Session, line_ids: frozenset[int] | None) -> list[BoardLine]:
    """The lines a board shows: these (None: every line), in the file's order."""
    query = select(
        Hotline.id, Hotline.key, Hotline.name, Hotline.timezone, Hotline.service_hours
    ).order_by(Hotline.position)
    if line_ids is not None:
        query = query.where(Hotline.id.in_(sorted(line_ids)))
    return [BoardLine(*row) for row in session.execute(query)]


def board_state(
    session: Session, duty: DutyIndex, lines: Sequence[BoardLine], now: datetime
) -> dict[str, Any]:
    """The board as JSON (a few queries, whatever the number of lines or counselors)."""
    tiers = {line.id: duty.tiers_at(session, line.id, line.key, now)[1] for line in lines}
    keys = {key for line_tiers in tiers.values() for tier in line_tiers for key in tier}
    names, states = _staff(session, keys, now)
    calls = _live_calls(session, [line.id for line in lines], now)
    unconfirmed = _unconfirmed(session, [line.id for line in lines], now)
    return {
        "at": utc_text(now),
        "lines": [
            {
                "key": line.key,
                "name": line.name,
                "tiers": [
                    [
                        {"counselor": k, "name": names.get(k, k), "state": states.get(k, FREE)}
                        for k in tier
                    ]
                    for tier in tiers[line.id]
                ],
                "calls": calls.get(line.id, []),
                "next_gap": _next_gap(session, duty, line, now),
                "unconfirmed": unconfirmed.get(line.id, []),
            }
            for line in lines
        ],
    }


def _staff(
    session: Session, keys: set[str], now: datetime
) -> tuple[dict[str, str], dict[str, str]]:
    """Names of the counselors on duty, and who of them is ringing or on a call (a lease
    that has not expired; on a call once they accepted at the screen)."""
    rows = session.execute(
        select(Counselor.key, Counselor.name, Counselor.busy_call_sid, Counselor.busy_until).where(
            Counselor.key.in_(sorted(keys))
        )
    ).all()
    names = {key: name for key, name, _, _ in rows}
    busy = {key: sid for key, _, sid, until in rows if sid and (until is None or until > now)}
    if not busy:
        return names, {}
    taken = {
        (target, sid)
        for target, sid in session.execute(
            select(CallAttempt.target, Call.call_sid)
            .join(Call, Call.id == CallAttempt.call_id)
            .where(Call.call_sid.in_(sorted(set(busy.values()))))
            .where(CallAttempt.target.in_(sorted(busy)), CallAttempt.result.in_(_TAKEN))
        )
    }
    states = {key: ON_CALL if (key, sid) in taken else RINGING for key, sid in busy.items()}
    return names, states


def _live_calls(
    session: Session, line_ids: list[int], now: datetime
) -> dict[int, list[dict[str, Any]]]:
    """Calls on these lines that have not ended: ringing (looking for a counselor) or in
    progress (someone took it), with their duration so far, oldest first."""
    rows = session.execute(
        select(Call.hotline_id, Call.arrived_at, Call.answered_at, Call.result)
        .where(Call.hotline_id.in_(line_ids), Call.arrived_at > now - LIVE_FOR)
        .where(Call.ended_at.is_(None))
        .order_by(Call.arrived_at)
    ).all()
    found: dict[int, list[dict[str, Any]]] = {}
    for line_id, arrived, answered, result in rows:
        talking = answered is not None
        if result != CallResult.ROUTING and not talking:
            continue  # ended without a status callback: not live
        since: datetime = answered or arrived
        found.setdefault(line_id or 0, []).append(
            {
                "state": "in-progress" if talking else "ringing",
                "seconds": max(0, int((now - since).total_seconds())),
            }
        )
    return found


def _next_gap(
    session: Session, duty: DutyIndex, line: BoardLine, now: datetime
) -> dict[str, str] | None:
    """The first stretch within the next 7 days (within service hours) where tier 1 is empty."""
    end = now + timedelta(days=GAP_DAYS)
    gaps = find_gaps(duty.timeline(session, line.id, line.key, now, end))
    hours = None if line.service_hours is None else read_service_hours(line.service_hours)
    inside = gaps_in_service(gaps, hours, ZoneInfo(line.timezone), now, end)
    if not inside:
        return None
    zone = ZoneInfo(line.timezone)
    first = inside[0]
    return {
        "start": utc_text(first.start),
        "end": utc_text(first.end),
        "local_start": first.start.astimezone(zone).strftime("%m-%d %H:%M"),
        "local_end": first.end.astimezone(zone).strftime("%m-%d %H:%M"),
    }


def _unconfirmed(
    session: Session, line_ids: list[int], now: datetime
) -> dict[int, list[dict[str, Any]]]:
    """Shifts asked to be confirmed (near their start) and not confirmed, not yet over."""
    rows = session.execute(
        select(
            ShiftConfirmation.hotline_id,
            Counselor.key,
            Counselor.name,
            ShiftConfirmation.tier,
            ShiftConfirmation.start,
            Hotline.timezone,
        )
        .join(Counselor, Counselor.id == ShiftConfirmation.counselor_id)
        .join(Hotline, Hotline.id == ShiftConfirmation.hotline_id)
        .where(ShiftConfirmation.hotline_id.in_(line_ids))
        .where(ShiftConfirmation.confirmed_at.is_(None), ShiftConfirmation.end > now)
        .where(ShiftConfirmation.start > now - _LONGEST_SHIFT)
        .order_by(ShiftConfirmation.start)
    ).all()
    found: dict[int, list[dict[str, Any]]] = {}
    for line_id, key, name, tier, start, zone in rows:
        found.setdefault(line_id, []).append(
            {
                "counselor": key,
                "name": name,
                "tier": tier,
                "start": utc_text(start),
                "local_start": start.astimezone(ZoneInfo(zone)).strftime("%m-%d %H:%M"),
            }
        )
    return found
