"""`daily-summary`: each morning, yesterday's calls of each line in counts, to its supervisors.

Run hourly: a line is told once its own clock has passed 07:00, about the day before in its own
zone; the message key (line, day, recipient) makes it once, however often the job runs.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from hotline.jobs.coverage_gaps import keys
from hotline.jobs.env import JobEnv
from hotline.models import Call, CallOutcome, Hotline, OutboxMessage
from hotline.outbound.outbox import Recipient, line_users, queue_text, user_recipient
from hotline.records.definitions import FIGURES
from hotline.records.vocabulary import FLAGGED_RISKS
from rota.localtime import local_day_start

TOLD_FROM = time(7)
SUPERVISORS = ("supervisor",)


@dataclass(frozen=True, slots=True)
class DayCounts:
    calls: int
    taken: int
    fallback: int
    closing: int
    high_risk: int
    missing: int


@dataclass(frozen=True, slots=True)
class Summary:
    """One line's day, counted, and the supervisors not yet told of it."""

    line_id: int
    name: str
    message_links: bool
    day: date
    counts: DayCounts
    supervisors: list[Recipient]


def daily_summary(env: JobEnv, now: datetime) -> dict[str, Any]:
    # Counted in a read transaction: the write lock is taken only when there is news to queue.
    with env.database.read() as db:
        lines = db.scalars(select(Hotline).order_by(Hotline.position)).all()
        due = [found for line in lines if (found := summary_due(db, line, now)) is not None]
    queued = 0
    if due:
        with env.database.write() as db:
            queued = sum(_tell(db, summary, now, env.settings.public_url) for summary in due)
    return {"summaries": len(due), "queued": queued}


def summary_due(session: Session, line: Hotline, now: datetime) -> Summary | None:
    """The line's summary when its morning has come and a supervisor has not had it yet."""
    tz = ZoneInfo(line.timezone)
    day = day_due(tz, now)
    if day is None:
        return None
    supervisors = [
        # In the line's language for those who chose none.
        replace(user_recipient(user), language=user.language or line.language)
        for user in line_users(session, SUPERVISORS, [line.id])
    ]
    name = occasion(line.id, day)
    wanted = sorted({key for person in supervisors for key in keys(name, person)})
    told = set(session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.in_(wanted))))
    waiting = [person for person in supervisors if not told.issuperset(keys(name, person))]
    if not waiting:
        return None
    start, end = local_day_start(day, tz), local_day_start(day + timedelta(days=1), tz)
    counts = count_day(session, line.id, start, end)
    return Summary(line.id, line.name, line.message_links, day, counts, waiting)


def occasion(line_id: int, day: date) -> str:
    return f"daily-summary:{line_id}:{day.isoformat()}"


def day_due(tz: ZoneInfo, now: datetime) -> date | None:
    """Yesterday in `tz` once it is 07:00 there; None before."""
    local = now.astimezone(tz)
    return local.date() - timedelta(days=1) if local.time() >= TOLD_FROM else None


def count_day(session: Session, line_id: int, start: datetime, end: datetime) -> DayCounts:
    """The calls that arrived on the line within `[start, end)`, counted in one query with the
    statistics' definitions (`records.definitions`: spooled calls count, `taken` is by a
    counselor of any line, `missing` is a taken call without an outcome yet)."""
    counted = [
        func.count(case((FIGURES[name].condition(), 1)))
        for name in ("calls", "taken", "fallback", "closing")
    ]
    row = session.execute(
        select(
            *counted,
            func.count(case((CallOutcome.risk.in_(sorted(FLAGGED_RISKS)), 1))),
            func.count(case((FIGURES["outcome-missing"].condition(), 1))),
        )
        .select_from(Call)
        .outerjoin(CallOutcome, CallOutcome.call_id == Call.id)
        .where(Call.hotline_id == line_id, Call.arrived_at >= start, Call.arrived_at < end)
    ).one()
    return DayCounts(*(int(value or 0) for value in row))


def _tell(session: Session, summary: Summary, now: datetime, public_url: str) -> int:
    return queue_text(
        session,
        occasion(summary.line_id, summary.day),
        summary.supervisors,
        "daily-summary",
        now,
        urgent=False,
        with_link=summary.message_links,
        hotline_id=summary.line_id,
        line=summary.name,
        day=summary.day.isoformat(),
        link=f"{public_url}/calls",
        **asdict(summary.counts),
    )
