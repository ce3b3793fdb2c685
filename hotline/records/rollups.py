"""The statistics' counts of a set of calls, as tallies that add up: from the raw rows, or from
the roll-up rows the `stats-rollup` job keeps of each line's settled local days.

Every figure is a count of calls (or a sum over calls) and every call belongs to one line and one
local day, so a day's tallies add up to any range of days exactly: the statistics read the days
already rolled up from the roll-ups and every other day from the raw rows, with the same
conditions (`records.definitions`). Waits are kept per whole second (the rounding the median
uses), so medians and p90 stay exact. Repeat callers are not tallies (distinct pseudonyms over
the range) and are always counted from the raw rows.

A tally is (kind, key) -> calls, and seconds where the kind has a duration:
    figure/<FIGURES name>, talk/'' (seconds), wait/<rounded seconds>,
    call_type, risk, caller_type, age_band, partner (partner id) / value ('' when not recorded),
    topic, action / value, legs, rung, declined, not-answered / counselor id (their legs),
    took / counselor id (taken, talk seconds), took-outcomes / counselor id.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    delete,
    distinct,
    false,
    func,
    insert,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.types import String

from hotline.models import (
    Call,
    CallAttempt,
    CallOutcome,
    Hotline,
    StatsDay,
    StatsHour,
    StatsMonth,
    StatsTally,
)
from hotline.records.calllog import days_asked
from hotline.records.definitions import (
    ATTEMPT_FIGURES,
    CALL_FIGURES,
    FIGURES,
    LEGS,
    JsonItems,
    LocalStamp,
    WaitSeconds,
    allow_local_time,
    leg_ended,
    taken,
)
from rota.localtime import to_instant

DAY, MONTH = 10, 7  # the length of a local day's and month's stamp (`YYYY-MM-DD`, `YYYY-MM`)
SINGLE_FIELDS = ("call_type", "risk", "caller_type", "age_band", "partner")
LISTED_FIELDS = {"topic": CallOutcome.topics, "action": CallOutcome.actions}
Pair = tuple[str, str]


@dataclass(slots=True)
class Tally:
    """Counts that add up over calls: (kind, key) -> n and seconds; local hour stamp ->
    [calls, taken]."""

    n: Counter[Pair] = field(default_factory=Counter)
    seconds: dict[Pair, float] = field(default_factory=dict)
    hours: dict[str, list[int]] = field(default_factory=dict)

    def add(self, kind: str, key: str, n: int, seconds: float = 0.0) -> None:
        self.n[(kind, key)] += n
        if seconds:
            self.seconds[(kind, key)] = self.seconds.get((kind, key), 0.0) + seconds

    def add_hour(self, stamp: str, calls: int, took: int) -> None:
        found = self.hours.setdefault(stamp, [0, 0])
        found[0] += calls
        found[1] += took

    def merge(self, other: Tally) -> None:
        self.n.update(other.n)
        for pair, seconds in other.seconds.items():
            self.seconds[pair] = self.seconds.get(pair, 0.0) + seconds
        for stamp, (calls, took) in other.hours.items():
            self.add_hour(stamp, calls, took)

    def of(self, kind: str) -> dict[str, int]:
        return {key: n for (k, key), n in self.n.items() if k == kind}


# --- Counting the raw rows ---------------------------------------------------------------------


def _count_if(condition: Any) -> Any:
    return func.count(case((condition, 1)))


def _calls(where: ColumnElement[bool], *columns: Any) -> Any:
    return (
        select(*columns)
        .select_from(Call)
        .join(Hotline, Hotline.id == Call.hotline_id)
        .outerjoin(CallOutcome, CallOutcome.call_id == Call.id)
        .where(where)
    )


def raw_tallies(
    session: Session,
    where: ColumnElement[bool],
    *,
    period: int | None = DAY,
    attempts: bool = True,
) -> dict[tuple[int, str], Tally]:
    """The tallies of the calls matching `where` (a condition on `Call`), per (line id, local
    day) — or local month with `period=MONTH` — or all together under (0, '') with
    `period=None` (cheaper: no local time per call but in the hours). Without `attempts`, no
    attempt figures and nothing per counselor (the reports show neither)."""
    allow_local_time(session)
    found: dict[tuple[int, str], Tally] = {}
    by_day = period is not None
    day = func.substr(LocalStamp(Call.arrived_at, Hotline.timezone), 1, period or DAY)
    keys: list[Any] = [Call.hotline_id, day.label("day")] if by_day else []
    width = len(keys)

    def at(row: Any) -> Tally:
        key = (row[0], row[1][:period]) if by_day else (0, "")
        return found.setdefault(key, Tally())

    stamp = LocalStamp(Call.arrived_at, Hotline.timezone).label("stamp")
    hour_keys: list[Any] = [Call.hotline_id, stamp] if by_day else [stamp]
    talking = and_(taken(), Call.ended_at.is_not(None), Call.answered_at.is_not(None))
    talk = func.sum(case((talking, WaitSeconds(Call.answered_at, Call.ended_at)), else_=0))
    figures = [_count_if(FIGURES[name].condition()) for name in CALL_FIGURES]
    query = _calls(where, *hour_keys, *figures, talk).group_by(*hour_keys)
    took_at = CALL_FIGURES.index("taken")
    for row in session.execute(query):
        hour = row[len(hour_keys) - 1]
        tally = at((row[0], hour[:10]))
        counts = [int(v or 0) for v in row[len(hour_keys) : -1]]
        tally.add_hour(hour, counts[0], counts[took_at])
        for name, n in zip(CALL_FIGURES, counts, strict=True):
            tally.add("figure", name, n)
        tally.add("talk", "", 0, float(row[-1] or 0))

    if attempts:
        _attempt_tallies(where, keys, session, at)

    seconds = func.round(WaitSeconds(Call.arrived_at, Call.answered_at)).label("seconds")
    query = _calls(where, *keys, seconds, func.count()).where(taken()).group_by(*keys, seconds)
    for row in session.execute(query):
        wait, n = row[width:]
        if wait is not None:
            at(row).add("wait", str(int(wait)), int(n))

    fields = [
        CallOutcome.call_type,
        CallOutcome.risk,
        CallOutcome.caller_type,
        CallOutcome.age_band,
        CallOutcome.partner_id,
    ]
    query = (
        _calls(where, *keys, *fields, func.count())
        .where(CallOutcome.id.is_not(None))
        .group_by(*keys, *fields)
    )
    for row in session.execute(query):
        *values, n = row[width:]
        for name, value in zip(SINGLE_FIELDS, values, strict=True):
            at(row).add(name, "" if value is None else str(value), int(n))

    for name, column in LISTED_FIELDS.items():
        items = JsonItems(column).table_valued("value")
        query = (
            _calls(where, *keys, items.c.value, func.count())
            .join(items, CallOutcome.id.is_not(None))
            .group_by(*keys, items.c.value)
        )
        for row in session.execute(query):
            value, n = row[width:]
            at(row).add(name, str(value), int(n))

    return found


def _attempt_tallies(
    where: ColumnElement[bool], keys: list[Any], session: Session, at: Any
) -> None:
    """The attempt figures and each counselor's legs, calls taken, talk time and outcomes."""
    width = len(keys)
    columns = [
        func.count(distinct(case((FIGURES[name].joined(), Call.id)))) for name in ATTEMPT_FIGURES
    ]
    query = (
        select(*keys, *columns)
        .select_from(Call)
        .join(Hotline, Hotline.id == Call.hotline_id)
        .outerjoin(CallAttempt, CallAttempt.call_id == Call.id)
        .where(where)
        .group_by(*keys)
    )
    for row in session.execute(query):
        for name, n in zip(ATTEMPT_FIGURES, row[width:], strict=True):
            at(row).add("figure", name, int(n or 0))

    legs = [func.count(distinct(case((leg_ended(leg), Call.id)))) for leg in LEGS]
    query = (
        select(*keys, CallAttempt.counselor_id, func.count(distinct(Call.id)), *legs)
        .select_from(Call)
        .join(Hotline, Hotline.id == Call.hotline_id)
        .join(CallAttempt, CallAttempt.call_id == Call.id)
        .where(where, CallAttempt.counselor_id.is_not(None))
        .group_by(*keys, CallAttempt.counselor_id)
    )
    for row in session.execute(query):
        person, any_leg, *values = row[width:]
        tally = at(row)
        tally.add("legs", str(person), int(any_leg))
        for leg, n in zip(LEGS, values, strict=True):
            tally.add(leg, str(person), int(n))

    talking = and_(Call.ended_at.is_not(None), Call.answered_at.is_not(None))
    talk = func.sum(case((talking, WaitSeconds(Call.answered_at, Call.ended_at)), else_=0))
    took = (Call.answered_by_id, func.count(), talk, func.count(CallOutcome.id))
    query = _calls(where, *keys, *took).where(taken()).group_by(*keys, Call.answered_by_id)
    for row in session.execute(query):
        person, n, talked, outcomes = row[width:]
        tally = at(row)
        tally.add("took", str(person), int(n), float(talked or 0))
        tally.add("took-outcomes", str(person), int(outcomes))


# --- Which days are rolled up, and the conditions for the rest --------------------------------


@dataclass(frozen=True, slots=True)
class Split:
    """A question's days per line: runs of days read from the roll-ups, and the rest as UTC
    windows of raw rows."""

    rolled: dict[int, list[tuple[date, date]]]
    raw: dict[int, list[tuple[datetime, datetime]]]

    def raw_condition(self) -> ColumnElement[bool] | None:
        clauses = [
            and_(Call.hotline_id == line, Call.arrived_at >= lower, Call.arrived_at < upper)
            for line, windows in self.raw.items()
            for lower, upper in windows
        ]
        return or_(*clauses) if clauses else None


def split(
    session: Session, lines: Iterable[str], start: date | None, end: date | None, now: datetime
) -> dict[int, tuple[ZoneInfo, list[tuple[date, date]], list[tuple[date, date]]]]:
    """Per line (keys): its zone, the runs of the days asked rolled up (in the line's zone now),
    and the runs that are not. Days asked: [start, end] read in the line's zone, as the call log
    reads them (`calllog.date_windows`: without dates, the last 30 days up to today there)."""
    zones = {
        line_id: tz
        for line_id, tz in session.execute(
            select(Hotline.id, Hotline.timezone).where(Hotline.key.in_(list(lines)))
        )
    }
    asked = {
        line: days_asked(start, end, now.astimezone(ZoneInfo(tz)).date())
        for line, tz in zones.items()
    }
    rolled: dict[int, set[str]] = {line: set() for line in zones}
    if zones:
        rows = session.execute(
            select(StatsDay.hotline_id, StatsDay.day, StatsDay.zone).where(
                StatsDay.hotline_id.in_(list(zones)),
                StatsDay.day >= min(a for a, _ in asked.values()).isoformat(),
                StatsDay.day <= max(b for _, b in asked.values()).isoformat(),
            )
        )
        for line, day, zone in rows:
            if zone == zones[line]:
                rolled[line].add(day)
    found = {}
    for line, tz in zones.items():
        days, (first, last) = rolled[line], asked[line]
        found[line] = (
            ZoneInfo(tz),
            runs(first, last, lambda d, days=days: d.isoformat() in days),
            runs(first, last, lambda d, days=days: d.isoformat() not in days),
        )
    return found


def runs(first: date, last: date, keep: Any) -> list[tuple[date, date]]:
    """The runs of consecutive days in [first, last] that `keep` keeps."""
    found: list[tuple[date, date]] = []
    day = first
    while day <= last:
        if keep(day):
            if found and found[-1][1] == day - timedelta(days=1):
                found[-1] = (found[-1][0], day)
            else:
                found.append((day, day))
        day += timedelta(days=1)
    return found


def window(tz: ZoneInfo, first: date, last: date) -> tuple[datetime, datetime]:
    """The UTC instants of [first 00:00, the day after last 00:00) in `tz`."""
    lower = to_instant(datetime.combine(first, time()), tz)
    upper = to_instant(datetime.combine(last + timedelta(days=1), time()), tz)
    return lower, upper


def question_split(
    session: Session, lines: Iterable[str], start: date | None, end: date | None, now: datetime
) -> Split:
    rolled, raw = {}, {}
    for line, (tz, done, rest) in split(session, lines, start, end, now).items():
        rolled[line] = done
        raw[line] = [window(tz, a, b) for a, b in rest]
    return Split(rolled, raw)


# --- Reading the roll-ups -----------------------------------------------------------------------


def _rolled_condition(column_line: Any, column_day: Any, rolled: dict[int, list[Any]]) -> Any:
    clauses = [
        and_(column_line == line, column_day >= a.isoformat(), column_day <= b.isoformat())
        for line, spans in rolled.items()
        for a, b in spans
    ]
    return or_(*clauses) if clauses else false()


def _hour_condition(rolled: dict[int, list[tuple[date, date]]]) -> Any:
    clauses = [
        and_(
            StatsHour.hotline_id == line,
            StatsHour.stamp >= a.isoformat(),
            StatsHour.stamp < (b + timedelta(days=1)).isoformat(),
        )
        for line, spans in rolled.items()
        for a, b in spans
    ]
    return or_(*clauses) if clauses else false()


def months_and_days(
    rolled: dict[int, list[tuple[date, date]]],
) -> tuple[dict[int, list[tuple[str, str]]], dict[int, list[tuple[date, date]]]]:
    """Runs of rolled days as runs of whole months (`YYYY-MM`) and the days left at their
    edges."""
    months: dict[int, list[tuple[str, str]]] = {}
    days: dict[int, list[tuple[date, date]]] = {}
    for line, spans in rolled.items():
        for a, b in spans:
            first = a if a.day == 1 else (a.replace(day=1) + timedelta(days=32)).replace(day=1)
            after = (b + timedelta(days=1)).replace(day=1)  # the first month not whole in [a, b]
            if (b + timedelta(days=1)).day == 1:
                after = b + timedelta(days=1)
            if first >= after:
                days.setdefault(line, []).append((a, b))
                continue
            last_month = after - timedelta(days=1)
            months.setdefault(line, []).append((first.isoformat()[:7], last_month.isoformat()[:7]))
            if a < first:
                days.setdefault(line, []).append((a, first - timedelta(days=1)))
            if after <= b:
                days.setdefault(line, []).append((after, b))
    return months, days


def rolled_tally(session: Session, rolled: dict[int, list[tuple[date, date]]]) -> Tally:
    """The roll-ups of these runs of days, added up: whole months from the month tallies."""
    tally = Tally()
    if not any(rolled.values()):
        return tally
    months, days = months_and_days(rolled)
    if days:
        query = (
            select(
                StatsTally.kind,
                StatsTally.key,
                func.sum(StatsTally.n),
                func.sum(StatsTally.seconds),
            )
            .where(_rolled_condition(StatsTally.hotline_id, StatsTally.day, days))
            .group_by(StatsTally.kind, StatsTally.key)
        )
        for kind, key, n, seconds in session.execute(query):
            tally.add(kind, key, int(n or 0), float(seconds or 0))
    if months:
        whole = or_(
            *(
                and_(StatsMonth.hotline_id == line, StatsMonth.month.between(a, b))
                for line, spans in months.items()
                for a, b in spans
            )
        )
        query = (
            select(
                StatsMonth.kind,
                StatsMonth.key,
                func.sum(StatsMonth.n),
                func.sum(StatsMonth.seconds),
            )
            .where(whole)
            .group_by(StatsMonth.kind, StatsMonth.key)
        )
        for kind, key, n, seconds in session.execute(query):
            tally.add(kind, key, int(n or 0), float(seconds or 0))
    hourly = (
        select(StatsHour.stamp, func.sum(StatsHour.calls), func.sum(StatsHour.taken))
        .where(_hour_condition(rolled))
        .group_by(StatsHour.stamp)
    )
    for stamp, calls, took in session.execute(hourly):
        tally.add_hour(stamp, int(calls), int(took))
    return tally


def rolled_by_month(
    session: Session, rolled: dict[int, list[tuple[date, date]]]
) -> dict[tuple[int, str], Tally]:
    """The roll-ups of these runs of days per (line id, local month `YYYY-MM`); no hours."""
    found: dict[tuple[int, str], Tally] = {}
    months, days = months_and_days(rolled)
    if days:
        month = func.substr(StatsTally.day, 1, 7).label("month")
        query = select(
            StatsTally.hotline_id, month, StatsTally.kind, StatsTally.key, StatsTally.n
        ).where(_rolled_condition(StatsTally.hotline_id, StatsTally.day, days))
        for line, at, kind, key, n in session.execute(query):
            found.setdefault((line, at), Tally()).add(kind, key, int(n))
    if months:
        whole = or_(
            *(
                and_(StatsMonth.hotline_id == line, StatsMonth.month.between(a, b))
                for line, spans in months.items()
                for a, b in spans
            )
        )
        rows = select(
            StatsMonth.hotline_id, StatsMonth.month, StatsMonth.kind, StatsMonth.key, StatsMonth.n
        ).where(whole)
        for line, at, kind, key, n in session.execute(rows):
            found.setdefault((line, at), Tally()).add(kind, key, int(n))
    return found


def tallies_by_month(
    session: Session, lines: Iterable[str], start: date, end: date, now: datetime
) -> dict[tuple[int, str], Tally]:
    """The tallies of the calls that arrived on `lines` within [start, end] per (line id,
    local month): roll-ups where the job has counted the day, raw rows elsewhere; no hours."""
    parts = question_split(session, lines, start, end, now)
    found = rolled_by_month(session, parts.rolled)
    where = parts.raw_condition()
    if where is not None:
        for key, counted in raw_tallies(session, where, period=MONTH, attempts=False).items():
            found.setdefault(key, Tally()).merge(counted)
    return found


def tally_of(
    session: Session, lines: Iterable[str], start: date | None, end: date | None, now: datetime
) -> Tally:
    """Every tally of the calls that arrived on `lines` within [start, end] (each line's zone):
    roll-ups where the job has counted the day, raw rows elsewhere."""
    parts = question_split(session, lines, start, end, now)
    tally = rolled_tally(session, parts.rolled)
    where = parts.raw_condition()
    if where is not None:
        for counted in raw_tallies(session, where, period=None).values():
            tally.merge(counted)
    return tally


# --- Writing the roll-ups (the job) -------------------------------------------------------------


def count_days(
    session: Session, line: int, zone: str, first: date, last: date
) -> dict[tuple[int, str], Tally]:
    """The line's days [first, last] (local to `zone`) counted from the raw rows."""
    lower, upper = window(ZoneInfo(zone), first, last)
    where = and_(Call.hotline_id == line, Call.arrived_at >= lower, Call.arrived_at < upper)
    return raw_tallies(session, where)


def store(
    session: Session,
    line: int,
    zone: str,
    first: date,
    last: date,
    now: datetime,
    counted: dict[tuple[int, str], Tally],
) -> int:
    """Replace the roll-ups of the line's days [first, last] by `counted` (`count_days`), and
    the sums of their months; the number of calls counted."""
    a, b = first.isoformat(), last.isoformat()
    after = (last + timedelta(days=1)).isoformat()
    session.execute(
        delete(StatsDay).where(StatsDay.hotline_id == line, StatsDay.day >= a, StatsDay.day <= b)
    )
    session.execute(
        delete(StatsTally).where(
            StatsTally.hotline_id == line, StatsTally.day >= a, StatsTally.day <= b
        )
    )
    session.execute(
        delete(StatsHour).where(
            StatsHour.hotline_id == line, StatsHour.stamp >= a, StatsHour.stamp < after
        )
    )
    tallies, hours = [], []
    calls = 0
    for (_, day), tally in counted.items():
        if not a <= day <= b:  # cannot happen: the window is these days
            continue
        calls += tally.n[("figure", "calls")]
        for (kind, key), n in tally.n.items():
            seconds = tally.seconds.get((kind, key), 0.0)
            if n or seconds:
                tallies.append(
                    {
                        "hotline_id": line,
                        "day": day,
                        "kind": kind,
                        "key": key,
                        "n": n,
                        "seconds": seconds,
                    }
                )
        for stamp, (in_hour, took) in tally.hours.items():
            hours.append({"hotline_id": line, "stamp": stamp, "calls": in_hour, "taken": took})
    if tallies:
        session.execute(insert(StatsTally), tallies)
    if hours:
        session.execute(insert(StatsHour), hours)
    days = [
        {"hotline_id": line, "day": d.isoformat(), "zone": zone, "rolled_at": now}
        for s, e in [(first, last)]
        for d in _days(s, e)
    ]
    session.execute(insert(StatsDay), days)
    for month in sorted({day.isoformat()[:7] for day in _days(first, last)}):
        _sum_month(session, line, zone, month)
    return calls


def _sum_month(session: Session, line: int, zone: str, month: str) -> None:
    """Replace the month's tallies by the sums of its days' when every day of it is counted in
    `zone`; otherwise drop them (its days are read one by one)."""
    session.execute(
        delete(StatsMonth).where(StatsMonth.hotline_id == line, StatsMonth.month == month)
    )
    start = date.fromisoformat(f"{month}-01")
    length = ((start + timedelta(days=32)).replace(day=1) - start).days
    counted = session.scalar(
        select(func.count()).where(
            StatsDay.hotline_id == line,
            StatsDay.zone == zone,
            StatsDay.day >= f"{month}-01",
            StatsDay.day <= f"{month}-31",
        )
    )
    if counted != length:
        return
    sums = (
        select(
            StatsTally.hotline_id,
            literal(month, String(7)),
            StatsTally.kind,
            StatsTally.key,
            func.sum(StatsTally.n),
            func.sum(StatsTally.seconds),
        )
        .where(
            StatsTally.hotline_id == line,
            StatsTally.day >= f"{month}-01",
            StatsTally.day <= f"{month}-31",
        )
        .group_by(StatsTally.hotline_id, StatsTally.kind, StatsTally.key)
    )
    columns = ["hotline_id", "month", "kind", "key", "n", "seconds"]
    session.execute(insert(StatsMonth).from_select(columns, sums))


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
