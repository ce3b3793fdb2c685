"""Shift swaps: a counselor offers one of their shifts, to a named colleague or to anyone
qualified; a colleague accepts; an operator of the line approves (or, where the line's
`auto_approve_swaps` is on, a swap that breaks no coverage rule and opens no gap is approved
when accepted). Approving writes an override through the desk's writer (`desk.edits`): the
same checks as `config import`, a new rota version, the override's history.

States: offered -> accepted -> approved; offered/accepted -> declined (the named colleague, or
an operator), withdrawn (the offerer), expired (the shift has started: nobody can swap it any
more). Each change is conditional on the state read (two clicks at once: one wins), audited,
and told through the outbox to whoever it concerns.

"Qualified": an active counselor, not the offerer, who holds every qualification the offerer
holds (what the shift may be relying on), is not on that tier then already, and whom the rota
with the override really puts on duty for the whole shift (leave applied).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from hotline.config.schema import ConfigurationError
from hotline.desk.edits import OverrideEdit, Written, known_now, write_overrides
from hotline.desk.preview import Effect, edit_window, line_effect
from hotline.desk.versions import VERSIONS
from hotline.models import Counselor, Hotline, RotaVersion, ShiftSwap, User
from hotline.models.desk import OPEN_SWAP_STATES
from hotline.outbound.outbox import Recipient, line_users, queue_text, user_recipient
from hotline.records import audit
from hotline.shifts.staff import load_staff, local_text
from rota.coverage import duty_shifts
from rota.localtime import to_instant
from rota.snapshot import from_document

AHEAD = timedelta(days=28)  # a counselor's page lists their shifts this far ahead
WALL = "%Y-%m-%dT%H:%M"


class SwapRefused(ValueError):
    """The swap cannot move as asked; `code` says why (see `REASONS` in the web layer)."""

    def __init__(self, code: str, problems: Iterable[str] = ()) -> None:
        super().__init__(code)
        self.code = code
        self.problems = list(problems)


@dataclass(frozen=True, slots=True)
class LineShift:
    line_id: int
    line_key: str
    line_name: str
    tier: int
    start: datetime
    end: datetime


@dataclass(slots=True)
class Check:
    """What approving the swap would do: the override's counselors, and its effect."""

    counselors: tuple[str, ...]
    effect: Effect | None
    problems: list[str] = field(default_factory=list)

    @property
    def breaks_nothing(self) -> bool:
        return self.effect is None or not (self.effect.broken or self.effect.gaps_opened)


# --- Reading -------------------------------------------------------------------------------


def upcoming_shifts(session: Session, counselor_key: str, now: datetime) -> list[LineShift]:
    """The counselor's shifts starting in the next four weeks, on every line, as resolved now
    (shifts are read two days past that, so the last ones are whole)."""
    found: list[LineShift] = []
    for line in session.scalars(select(Hotline).order_by(Hotline.position)):
        timeline = VERSIONS.index_from(session, line.id, now).timeline(
            now, now + AHEAD + timedelta(days=2)
        )
        for shift in duty_shifts(timeline):
            if shift.counselor == counselor_key and now < shift.start <= now + AHEAD:
                found.append(
                    LineShift(line.id, line.key, line.name, shift.tier, shift.start, shift.end)
                )
    return sorted(found, key=lambda s: (s.start, s.line_key, s.tier))


def qualified(taker: Counselor, offerer: Counselor) -> bool:
    return (
        taker.active
        and taker.id != offerer.id
        and set(offerer.qualifications) <= set(taker.qualifications)
    )


def swaps_of(session: Session, counselor_id: int) -> list[ShiftSwap]:
    """Swaps the counselor offered, was offered, or took: the open ones and the last month's."""
    return list(
        session.scalars(
            select(ShiftSwap)
            .where(
                or_(
                    ShiftSwap.offered_by == counselor_id,
                    ShiftSwap.offered_to == counselor_id,
                    ShiftSwap.taken_by == counselor_id,
                )
            )
            .order_by(ShiftSwap.start, ShiftSwap.id)
        )
    )


def open_offers_for(session: Session, taker: Counselor) -> list[ShiftSwap]:
    """Offers to anyone that this counselor is qualified to take."""
    rows = session.scalars(
        select(ShiftSwap)
        .where(ShiftSwap.state == "offered", ShiftSwap.offered_to.is_(None))
        .where(ShiftSwap.offered_by != taker.id)
        .order_by(ShiftSwap.start, ShiftSwap.id)
    ).all()
    offerers = _counselors(session, {row.offered_by for row in rows})
    return [row for row in rows if qualified(taker, offerers[row.offered_by])]


def awaiting_approval(session: Session, line_ids: frozenset[int] | None) -> list[ShiftSwap]:
    query = select(ShiftSwap).where(ShiftSwap.state == "accepted")
    if line_ids is not None:
        query = query.where(ShiftSwap.hotline_id.in_(sorted(line_ids)))
    return list(session.scalars(query.order_by(ShiftSwap.start, ShiftSwap.id)))


# --- Changing ------------------------------------------------------------------------------


def expire_started(session: Session, now: datetime) -> int:
    """Open swaps of shifts that have started become `expired` (read on every swap page, so
    no job is needed); returns how many."""
    rows = session.scalars(
        select(ShiftSwap).where(ShiftSwap.state.in_(OPEN_SWAP_STATES), ShiftSwap.start <= now)
    ).all()
    moved = 0
    for row in rows:
        if _move(session, row, OPEN_SWAP_STATES, "expired", now):
            _audit(session, row, "swap.expire", now, actor="system", source=None)
            moved += 1
    return moved


def offer(
    session: Session,
    offerer: Counselor,
    line_key: str,
    tier: int,
    start: datetime,
    to: Counselor | None,
    now: datetime,
    *,
    actor: str,
    source: str | None,
    public_url: str,
) -> ShiftSwap:
    """Offer the counselor's shift of `line_key`/`tier` that starts at `start` (as their
    page listed it): to `to`, or to anyone qualified."""
    shift = next(
        (s for s in upcoming_shifts(session, offerer.key, now)
         if s.line_key == line_key and s.tier == tier and s.start == start),
        None,
    )  # fmt: skip
    if shift is None:
        raise SwapRefused("started" if start <= now else "not-yours")
    if to is not None and not qualified(to, offerer):
        raise SwapRefused("not-qualified")
    taken = select(ShiftSwap.id).where(
        ShiftSwap.hotline_id == shift.line_id, ShiftSwap.tier == tier,
        ShiftSwap.start == start, ShiftSwap.offered_by == offerer.id,
        ShiftSwap.state.in_(OPEN_SWAP_STATES),
    )  # fmt: skip
    if session.scalar(taken) is not None:
        raise SwapRefused("duplicate")
    row = ShiftSwap(
        hotline_id=shift.line_id, tier=tier, start=shift.start, end=shift.end,
        offered_by=offerer.id, offered_to=to.id if to else None, state="offered",
        created_at=now, changed_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    _audit(session, row, "swap.offer", now, actor=actor, source=source)
    if to is not None:
        _tell(session, row, "swap-offered", [to], now, public_url, who=offerer.name)
    return row


def accept(
    session: Session,
    swap_id: int,
    taker: Counselor,
    now: datetime,
    *,
    actor: str,
    source: str | None,
    public_url: str,
) -> ShiftSwap:
    """The colleague takes the shift; approved at once where the line says so and the swap
    breaks nothing, else the line's operators are asked."""
    row = _open(session, swap_id, "offered", now)
    if row.offered_to is not None and row.offered_to != taker.id:
        raise SwapRefused("not-addressed")
    offerer = _counselor(session, row.offered_by)
    if not qualified(taker, offerer):
        raise SwapRefused("not-qualified")
    check = check_swap(session, row, taker, now)  # refuses a taker the rota would not place
    if not _move(session, row, ("offered",), "accepted", now, taken_by=taker.id):
        raise SwapRefused("not-open")
    _audit(session, row, "swap.accept", now, actor=actor, source=source)
    _tell(session, row, "swap-accepted", [offerer], now, public_url, who=taker.name)
    line = _line(session, row.hotline_id)
    if line.auto_approve_swaps and check.breaks_nothing:
        return approve(session, row.id, now, actor="auto-approve", source=None,
                       public_url=public_url)  # fmt: skip
    _tell_operators(session, row, line, now, public_url, who=taker.name, offerer=offerer.name)
    return row


def approve(
    session: Session,
    swap_id: int,
    now: datetime,
    *,
    actor: str,
    source: str | None,
    public_url: str,
) -> ShiftSwap:
    """Write the override (the taker instead of the offerer, the tier's others kept) as a
    new rota version; the swap keeps the override's key."""
    row = _open(session, swap_id, "accepted", now)
    assert row.taken_by is not None
    taker, offerer = _counselor(session, row.taken_by), _counselor(session, row.offered_by)
    check = check_swap(session, row, taker, now)
    written = _write(session, row, check.counselors, now)
    entries = yaml.safe_load(written.section)["overrides"]
    override_key = str(entries[-1]["key"])
    if not _move(session, row, ("accepted",), "approved", now, decided_by=actor,
                 override_key=override_key):  # fmt: skip
        raise SwapRefused("not-open")
    versions = [f"{v.hotline} v{v.number}" for v in written.summary.versions]
    _audit(session, row, "swap.approve", now, actor=actor, source=source,
           override=override_key, versions=versions, section=written.section[:4000])  # fmt: skip
    _tell(session, row, "swap-approved", [offerer, taker], now, public_url, who=taker.name)
    return row


def decline(
    session: Session,
    swap_id: int,
    now: datetime,
    *,
    by_counselor: Counselor | None,
    line_ids: frozenset[int] | None = None,
    actor: str,
    source: str | None,
    public_url: str,
) -> ShiftSwap:
    """The named colleague declines an offer made to them; an operator (`by_counselor` None)
    declines an offered or accepted swap of their lines."""
    row = _open(session, swap_id, None, now)
    if by_counselor is not None:
        if row.state != "offered" or row.offered_to != by_counselor.id:
            raise SwapRefused("not-addressed")
    elif line_ids is not None and row.hotline_id not in line_ids:
        raise SwapRefused("not-addressed")
    if not _move(session, row, (row.state,), "declined", now, decided_by=actor):
        raise SwapRefused("not-open")
    _audit(session, row, "swap.decline", now, actor=actor, source=source)
    told = [_counselor(session, row.offered_by)]
    other = row.taken_by or row.offered_to
    if other is not None and (by_counselor is None or other != by_counselor.id):
        told.append(_counselor(session, other))
    _tell(session, row, "swap-declined", told, now, public_url, who=told[0].name)
    return row


def withdraw(
    session: Session,
    swap_id: int,
    offerer: Counselor,
    now: datetime,
    *,
    actor: str,
    source: str | None,
    public_url: str,
) -> ShiftSwap:
    row = _open(session, swap_id, None, now)
    if row.offered_by != offerer.id:
        raise SwapRefused("not-yours")
    if not _move(session, row, (row.state,), "withdrawn", now, decided_by=actor):
        raise SwapRefused("not-open")
    _audit(session, row, "swap.withdraw", now, actor=actor, source=source)
    other = row.taken_by or row.offered_to
    if other is not None:
        told = [_counselor(session, other)]
        _tell(session, row, "swap-withdrawn", told, now, public_url, who=offerer.name)
    return row


def check_swap(session: Session, row: ShiftSwap, taker: Counselor, now: datetime) -> Check:
    """The override the swap needs and its effect, by writing it in a savepoint rolled back at
    once (as the desk's preview does). Refuses when the shift is not the offerer's any more,
    the tier changes during it, the taker is on it already or would not be on duty (leave)."""
    line = _line(session, row.hotline_id)
    offerer = _counselor(session, row.offered_by)
    rosters = {
        segment.tiers[row.tier - 1] if len(segment.tiers) >= row.tier else ()
        for segment in VERSIONS.index_from(session, line.id, row.start).timeline(row.start, row.end)
    }
    if len(rosters) != 1:
        raise SwapRefused("roster-changes")
    (roster,) = rosters
    if offerer.key not in roster:
        raise SwapRefused("not-yours")
    if taker.key in roster:
        raise SwapRefused("busy")
    counselors = tuple(taker.key if key == offerer.key else key for key in roster)
    nested = session.begin_nested()
    try:
        written = _write(session, row, counselors, now)
        document = _document(session, line, written)
    finally:
        nested.rollback()
    if document is None:
        return Check(counselors, None)
    tz = ZoneInfo(line.timezone)
    window = edit_window([(row.start, row.end)], tz, now)
    if window is None:
        raise SwapRefused("started")
    effect = line_effect(session, line, from_document(document), window, now)
    placed = sum(
        ((min(s.end, row.end) - max(s.start, row.start)) for s in effect.added
         if s.counselor == taker.key and s.tier == row.tier and s.end > row.start
         and s.start < row.end),
        timedelta(),
    )  # fmt: skip
    if placed < row.end - row.start:
        raise SwapRefused("unavailable")
    return Check(counselors, effect)


# --- Inside --------------------------------------------------------------------------------


def _write(session: Session, row: ShiftSwap, counselors: tuple[str, ...], now: datetime) -> Written:
    line = _line(session, row.hotline_id)
    tz = ZoneInfo(line.timezone)
    start, end = _wall(row.start, tz), _wall(row.end, tz)
    edit = OverrideEdit(line.key, None, row.tier, start, end, counselors)
    try:
        return write_overrides(session, line, edit, known_now(session), now)
    except ConfigurationError as refused:
        raise SwapRefused("rejected", refused.problems) from refused


def _wall(at: datetime, tz: ZoneInfo) -> str:
    """The wall clock the file writes; refused where it would name another instant (a time
    repeated when clocks go back)."""
    text = at.astimezone(tz).strftime(WALL)
    if to_instant(datetime.fromisoformat(text), tz) != at:
        raise SwapRefused("clock-change")
    return text


def _document(session: Session, line: Hotline, written: Written) -> dict[str, Any] | None:
    for version in written.summary.versions:
        if version.hotline == line.key:
            found: dict[str, Any] | None = session.scalar(
                select(RotaVersion.document).where(
                    RotaVersion.hotline_id == line.id, RotaVersion.number == version.number
                )
            )
            return found
    return None


def _open(session: Session, swap_id: int, state: str | None, now: datetime) -> ShiftSwap:
    row = session.get(ShiftSwap, swap_id)
    if row is None:
        raise SwapRefused("unknown")
    if row.state in OPEN_SWAP_STATES and row.start <= now:
        expire_started(session, now)
        raise SwapRefused("started")
    if row.state not in OPEN_SWAP_STATES or (state is not None and row.state != state):
        raise SwapRefused("not-open")
    return row


def _move(
    session: Session,
    row: ShiftSwap,
    states: tuple[str, ...],
    to: str,
    now: datetime,
    **values: Any,
) -> bool:
    """Move the row to `to` if it is still in one of `states` (another request may have moved
    it meanwhile: then nothing changes and False)."""
    done = session.execute(
        update(ShiftSwap)
        .where(ShiftSwap.id == row.id, ShiftSwap.state.in_(states))
        .values(state=to, changed_at=now, **values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(row)
    return bool(getattr(done, "rowcount", 0) == 1)


def _audit(
    session: Session,
    row: ShiftSwap,
    action: str,
    now: datetime,
    *,
    actor: str,
    source: str | None,
    **more: Any,
) -> None:
    line = _line(session, row.hotline_id)
    people = _counselors(session, {i for i in (row.offered_by, row.offered_to, row.taken_by)
                                   if i is not None})  # fmt: skip
    detail = {
        "line": line.key, "tier": row.tier, "start": row.start.isoformat(),
        "end": row.end.isoformat(), "offered_by": people[row.offered_by].key,
        "offered_to": people[row.offered_to].key if row.offered_to else None,
        "taken_by": people[row.taken_by].key if row.taken_by else None, **more,
    }  # fmt: skip
    audit.record(session, now, action, actor=actor, target=f"swap:{row.id}", source=source,
                 detail=detail)  # fmt: skip


def _tell(
    session: Session,
    row: ShiftSwap,
    template: str,
    people: list[Counselor],
    now: datetime,
    public_url: str,
    **values: Any,
) -> None:
    line = _line(session, row.hotline_id)
    staff = load_staff(session, [person.key for person in people])
    recipients = [r for r in (staff.recipient(p.key, line) for p in people) if r is not None]
    _queue(session, row, template, recipients, line, now, public_url, **values)


def _tell_operators(
    session: Session, row: ShiftSwap, line: Hotline, now: datetime, public_url: str, **values: Any
) -> None:
    users: list[User] = line_users(session, ["operator"], [line.id])
    if not users:
        users = line_users(session, ["admin"], None)
    recipients = [user_recipient(user) for user in users]
    _queue(session, row, "swap-to-approve", recipients, line, now, public_url, path="/rota/swaps",
           **values)  # fmt: skip


def _queue(
    session: Session,
    row: ShiftSwap,
    template: str,
    recipients: list[Recipient],
    line: Hotline,
    now: datetime,
    public_url: str,
    *,
    path: str = "/swaps",
    **values: Any,
) -> None:
    queue_text(
        session, f"{template}:{row.id}", recipients, template, now, urgent=False,
        with_link=line.message_links, hotline_id=line.id, line=line.name,
        start=local_text(row.start, line), end=local_text(row.end, line),
        link=public_url.rstrip("/") + path, **values,
    )  # fmt: skip


def _line(session: Session, line_id: int) -> Hotline:
    found = session.get(Hotline, line_id)
    assert found is not None
    return found


def _counselor(session: Session, counselor_id: int) -> Counselor:
    found = session.get(Counselor, counselor_id)
    if found is None:
        raise SwapRefused("unknown")
    return found


def _counselors(session: Session, ids: set[int]) -> dict[int, Counselor]:
    rows = session.scalars(select(Counselor).where(Counselor.id.in_(sorted(ids))))
    return {person.id: person for person in rows}
