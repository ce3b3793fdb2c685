"""The call log: filters, per-line local date windows, the derived result, pagination.

A call that is still `routing`, or has no end, four hours after it arrived has lost its
callbacks: the log shows its result as `unknown` (derived when read, never written).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, or_, select
from sqlalchemy.orm import Session, aliased

from hotline.models import Call, CallOutcome, Counselor, Hotline
from hotline.records.definitions import Counted, allow_local_time, counted_conditions
from hotline.records.policy import UNKNOWN_AFTER_HOURS
from hotline.records.scope import Viewer, visible_calls
from rota.localtime import to_instant

PAGE_SIZE = 50
AnySelect = Select[*tuple[Any, ...]]
DEFAULT_DAYS = 30


@dataclass(frozen=True, slots=True)
class CallFilters:
    """Validated filters (keys and codes, never free text); dates inclusive, local per line."""

    line: str | None = None
    start: date | None = None
    end: date | None = None
    result: str | None = None
    risk: str | None = None
    call_type: str | None = None
    counselor: str | None = None
    # Arrived on one of these lines (a statistic's lines), and what the statistic counts.
    lines: tuple[str, ...] = ()
    counted: Counted = field(default_factory=Counted)

    def as_json(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in asdict(self).items()}


@dataclass(frozen=True, slots=True)
class LogRow:
    id: int
    line: str | None
    arrived_at: datetime
    timezone: str
    result: str
    wait_seconds: int | None
    duration_seconds: int | None
    counselor: str | None
    risk: str | None
    call_type: str | None
    flagged: bool


@dataclass(frozen=True, slots=True)
class LogPage:
    rows: list[LogRow]
    page: int
    has_next: bool


def effective_result(now: datetime) -> ColumnElement[str]:
    """`result`, or `unknown` for a call whose callbacks were lost."""
    lost = and_(
        or_(Call.result == "routing", Call.ended_at.is_(None)),
        Call.arrived_at < now - timedelta(hours=UNKNOWN_AFTER_HOURS),
    )
    return case((lost, "unknown"), else_=Call.result)


def date_windows(
    session: Session, start: date | None, end: date | None, now: datetime
) -> ColumnElement[bool]:
    """Arrival within [start, end] read in each call's own line zone (UTC for unknown lines);
    without dates, the last 30 days up to today there.
    """
    zones = [
        (line_id, ZoneInfo(tz))
        for line_id, tz in session.execute(select(Hotline.id, Hotline.timezone))
    ]
    clauses = []
    for line_id, tz in [*zones, (None, ZoneInfo("UTC"))]:
        lower, upper = local_window(start, end, now, tz)
        on_line = Call.hotline_id.is_(None) if line_id is None else Call.hotline_id == line_id
        clauses.append(and_(on_line, Call.arrived_at >= lower, Call.arrived_at < upper))
    return or_(*clauses)


def local_window(
    start: date | None, end: date | None, now: datetime, tz: ZoneInfo
) -> tuple[datetime, datetime]:
    """The instants [lower, upper) of the days [start, end] on a clock in `tz` (without dates,
    the last 30 days up to today there)."""
    first, last = days_asked(start, end, now.astimezone(tz).date())
    lower = to_instant(datetime.combine(first, time()), tz)
    return lower, to_instant(datetime.combine(last + timedelta(days=1), time()), tz)


def days_asked(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The first and last day of [start, end] on a line whose day is `today`: without dates,
    the last 30 days; with only the last, the 30 days up to it; with only the first, up to
    today."""
    if start is None and end is None:
        return today - timedelta(days=DEFAULT_DAYS - 1), today
    if start is None:
        assert end is not None
        return end - timedelta(days=DEFAULT_DAYS - 1), end
    return start, end or today


def filtered_calls(
    session: Session, viewer: Viewer, filters: CallFilters, now: datetime
) -> AnySelect:
    """The visible calls matching `filters`, newest first: the columns a log row or an export
    row shows (never the plan, the CallSid or anything else of Twilio's).
    """
    answered_by, answered_line = aliased(Counselor), aliased(Hotline)
    allow_local_time(session)
    query = (
        select(
            Call.id,
            Hotline.key.label("line"),
            Hotline.timezone,
            Call.arrived_at,
            Call.answered_at,
            Call.ended_at,
            Call.duration_seconds,
            effective_result(now).label("result"),
            answered_line.key.label("answered_line"),
            answered_by.key.label("counselor"),
            Call.rota_version,
            Call.caller,
            CallOutcome.call_type,
            CallOutcome.topics,
            CallOutcome.risk,
            CallOutcome.actions,
            CallOutcome.partner_id,
            CallOutcome.caller_type,
            CallOutcome.age_band,
            CallOutcome.flagged,
        )
        .outerjoin(Hotline, Hotline.id == Call.hotline_id)
        .outerjoin(answered_line, answered_line.id == Call.answered_line_id)
        .outerjoin(answered_by, answered_by.id == Call.answered_by_id)
        .outerjoin(CallOutcome, CallOutcome.call_id == Call.id)
        .where(visible_calls(viewer), date_windows(session, filters.start, filters.end, now))
        .order_by(Call.arrived_at.desc(), Call.id.desc())
    )
    return _narrowed(query, filters, now, answered_by)


def _narrowed(query: AnySelect, filters: CallFilters, now: datetime, answered_by: Any) -> AnySelect:
    if filters.line is not None:
        query = query.where(Hotline.key == filters.line)
    if filters.counselor is not None:
        query = query.where(answered_by.key == filters.counselor)
    if filters.result is not None:
        query = query.where(effective_result(now) == filters.result)
    if filters.risk is not None:
        query = query.where(CallOutcome.risk == filters.risk)
    if filters.call_type is not None:
        query = query.where(CallOutcome.call_type == filters.call_type)
    if filters.lines:
        query = query.where(Hotline.key.in_(filters.lines))
    return query.where(*counted_conditions(filters.counted))


def call_log_page(
    session: Session, viewer: Viewer, filters: CallFilters, page: int, now: datetime
) -> LogPage:
    """One page of the log; one row more than a page is read to know whether another follows."""
    query = filtered_calls(session, viewer, filters, now)
    offset = (max(page, 1) - 1) * PAGE_SIZE
    found = session.execute(query.offset(offset).limit(PAGE_SIZE + 1)).all()
    rows = [
        LogRow(
            id=row.id,
            line=row.line,
            arrived_at=row.arrived_at,
            timezone=row.timezone or "UTC",
            result=row.result,
            wait_seconds=seconds_between(row.arrived_at, row.answered_at),
            duration_seconds=row.duration_seconds,
            counselor=row.counselor,
            risk=row.risk,
            call_type=row.call_type,
            flagged=bool(row.flagged),
        )
        for row in found[:PAGE_SIZE]
    ]
    return LogPage(rows, max(page, 1), len(found) > PAGE_SIZE)


def seconds_between(start: datetime, end: datetime | None) -> int | None:
    """Whole seconds from `start` to `end` (None when there is no end), e.g. the wait."""
    if end is None:
        return None
    return max(0, round((end - start).total_seconds()))
