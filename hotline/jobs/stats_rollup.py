"""`stats-rollup`: count each line's settled local days once, into the statistics' roll-ups.

Nothing on the call path writes a roll-up: this job counts whole local days of a line from the
raw rows (`records.rollups.store`, the statistics' own queries) and the statistics read them for
those days, the raw rows for every other day. A day is counted once it ended `SETTLE` ago (no
call of it can still be ringing or talking: calls end within the bridge lease and the sweeper
closes the rest), and counted again at every run for `RECHECK` after that. Beyond that, a
counted day is counted again when the job sees it change:
- a call or an attempt stored since its last run (a late or spooled call): by ids, looking
  `ID_MARGIN` back for transactions that committed out of order;
- an outcome recorded or edited since its last run (`updated_at`, `OUTCOME_MARGIN` back);
- the line's zone changed (its days then count in the new zone; until counted again they are
  read from the raw rows);
- the retention purge deleted its calls (the purge drops those days' marks).
Idempotent: each batch replaces whole days of one month in one transaction, and the month's
sums with them; a run cut short leaves counted
days counted and the rest raw, and the next run goes on.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hotline.jobs.env import JobEnv
from hotline.models import (
    Call,
    CallAttempt,
    CallOutcome,
    Hotline,
    StatsDay,
    StatsHour,
    StatsMark,
    StatsMonth,
    StatsTally,
)
from hotline.records.rollups import count_days, runs, store

SETTLE = timedelta(hours=6)
RECHECK = timedelta(days=3)
ID_MARGIN = 200  # more than the transactions that can be storing calls at once
OUTCOME_MARGIN = timedelta(hours=1)
MARK_ID = 1

Batch = tuple[int, str, date, date]


def stats_rollup(env: JobEnv, now: datetime) -> dict[str, Any]:
    with env.database.read() as db:
        batches, marks, first_days = plan(db, now)
    calls = 0
    for line, zone, first, last in batches:
        # Counted in a read transaction, written in a short one (on SQLite the writer is single,
        # and the call path needs it): what changes in between has changed since the marks, and
        # is counted again at the next run.
        with env.database.read() as db:
            counted = count_days(db, line, zone, first, last)
        with env.database.write() as db:
            calls += store(db, line, zone, first, last, now, counted)
    with env.database.write() as db:
        _forget_before(db, first_days)
        _save_marks(db, *marks)
    days = sum((last - first).days + 1 for _, _, first, last in batches)
    return {"days": days, "batches": len(batches), "calls": calls}


def plan(
    session: Session, now: datetime
) -> tuple[list[Batch], tuple[int, int, datetime | None], dict[int, date | None]]:
    """The batches of days to count, the marks to keep once they are, each line's first day."""
    marks = (
        int(session.scalar(select(func.max(Call.id))) or 0),
        int(session.scalar(select(func.max(CallAttempt.id))) or 0),
        session.scalar(select(func.max(CallOutcome.updated_at))),
    )
    mark = session.get(StatsMark, MARK_ID)
    lines = {line_id: tz for line_id, tz in session.execute(select(Hotline.id, Hotline.timezone))}
    oldest = (
        select(Call.hotline_id, func.min(Call.arrived_at))
        .where(Call.hotline_id.is_not(None))
        .group_by(Call.hotline_id)
    )
    firsts: dict[int, datetime] = {line: at for line, at in session.execute(oldest) if line}
    counted: dict[int, dict[str, str]] = {line: {} for line in lines}
    if mark is not None:  # without marks, nothing counted is trusted: count every day again
        for line, day, zone in session.execute(
            select(StatsDay.hotline_id, StatsDay.day, StatsDay.zone)
        ):
            counted.setdefault(line, {})[day] = zone
    dirty = _changed(session, mark, lines) if mark is not None else set()
    batches: list[Batch] = []
    first_days: dict[int, date | None] = {}
    for line, zone in lines.items():
        tz = ZoneInfo(zone)
        arrived = firsts.get(line)
        first = arrived.astimezone(tz).date() if arrived is not None else None
        first_days[line] = first
        if first is None:
            continue
        last = (now - SETTLE).astimezone(tz).date() - timedelta(days=1)
        recheck = (now - RECHECK).astimezone(tz).date()
        done = counted.get(line, {})

        def due(
            day: date,
            done: dict[str, str] = done,
            zone: str = zone,
            line: int = line,
            recheck: date = recheck,
        ) -> bool:
            return (
                done.get(day.isoformat()) != zone
                or day >= recheck
                or (line, day.isoformat()) in dirty
            )

        for a, b in runs(first, last, due):
            while a <= b:
                month_end = (a.replace(day=1) + timedelta(days=32)).replace(day=1)
                end = min(b, month_end - timedelta(days=1))  # a batch within one month
                batches.append((line, zone, a, end))
                a = end + timedelta(days=1)
    return batches, marks, first_days


def _changed(session: Session, mark: StatsMark, lines: dict[int, str]) -> set[tuple[int, str]]:
    """(line, local day) of calls stored, attempted or given an outcome since the marks."""
    arrivals: list[Any] = []
    arrivals += session.execute(
        select(Call.hotline_id, Call.arrived_at).where(Call.id > mark.call_id - ID_MARGIN)
    ).all()
    arrivals += session.execute(
        select(Call.hotline_id, Call.arrived_at)
        .join(CallAttempt, CallAttempt.call_id == Call.id)
        .where(CallAttempt.id > mark.attempt_id - ID_MARGIN)
    ).all()
    if mark.outcome_at is not None:
        arrivals += session.execute(
            select(Call.hotline_id, Call.arrived_at)
            .join(CallOutcome, CallOutcome.call_id == Call.id)
            .where(CallOutcome.updated_at > mark.outcome_at - OUTCOME_MARGIN)
        ).all()
    zones = {line: ZoneInfo(tz) for line, tz in lines.items()}
    return {
        (line, at.astimezone(zones[line]).date().isoformat())
        for line, at in arrivals
        if line in zones
    }


def _forget_before(session: Session, first_days: dict[int, date | None]) -> None:
    """Roll-ups of days before a line's first call (purged since) are of no calls any more."""
    for line, first in first_days.items():
        day = first.isoformat() if first is not None else "9999-12-31"
        session.execute(delete(StatsDay).where(StatsDay.hotline_id == line, StatsDay.day < day))
        session.execute(
            delete(StatsTally).where(StatsTally.hotline_id == line, StatsTally.day < day)
        )
        session.execute(
            delete(StatsHour).where(StatsHour.hotline_id == line, StatsHour.stamp < day)
        )
        session.execute(
            delete(StatsMonth).where(StatsMonth.hotline_id == line, StatsMonth.month < day[:7])
        )


def _save_marks(
    session: Session, call_id: int, attempt_id: int, outcome_at: datetime | None
) -> None:
    mark = session.get(StatsMark, MARK_ID)
    if mark is None:
        session.add(
            StatsMark(id=MARK_ID, call_id=call_id, attempt_id=attempt_id, outcome_at=outcome_at)
        )
    else:
        mark.call_id, mark.attempt_id, mark.outcome_at = call_id, attempt_id, outcome_at


def forget_rollups(session: Session) -> None:
    """Drop every roll-up and the marks: the statistics read raw rows until the job, at its
    next run, has counted every settled day again (the full rebuild)."""
    for model in (StatsDay, StatsHour, StatsTally, StatsMonth, StatsMark):
        session.execute(delete(model))
