"""Monthly and yearly reports that may leave the hospital: counts only, small ones suppressed.

Every report of one calendar year (each line and all lines, the year and each month) is a slice
of one set of figures, suppressed together (`records.suppression`), so that comparing any of
them with the others gives nothing away. Counted with `records.definitions`; months are each
line's own. No record-level data: no counselor, no caller, no single call.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.care.reports import appointment_counts, referral_counts
from hotline.care.vocabulary import REFERRAL_STATES, URGENCIES
from hotline.models import Hotline, Partner
from hotline.records.rollups import tallies_by_month
from hotline.records.statistics import quantile
from hotline.records.suppression import Key, Relation, suppress
from hotline.records.vocabulary import (
    ACTIONS,
    AGE_BANDS,
    CALL_TYPES,
    CALLER_TYPES,
    RISKS,
    TOPICS,
)
from rota.localtime import to_instant

ALL = "*"  # the scope of every line together
NOT_RECORDED = "not-recorded"
OUTCOMES = "outcomes"  # the total that the four outcome tables share: outcomes recorded
ENDED = ("taken", "fallback", "closing", "abandoned", "unsettled")
OUTCOME_FIELDS = {
    "call_type": CALL_TYPES,
    "risk": RISKS,
    "caller_type": CALLER_TYPES,
    "age_band": AGE_BANDS,
}
LISTED_FIELDS = {"topic": TOPICS, "action": ACTIONS}
# Follow-up care (`hotline.care.reports`): bookings by the local month they were made in, and of
# them what became of each (`open`: its session ahead, or not marked yet); referrals by the month
# proposed, by partner, urgency and result (state now), three tables sharing one total.
APPOINTMENTS = ("attended", "missed", "cancelled", "open")
REFERRALS = "referrals"  # the total the three referral tables share


@dataclass(frozen=True, slots=True)
class Section:
    """One table: its columns, and the column that is their total (none for listed fields);
    `shared`: the table the total belongs to when several tables share it (their own else)."""

    name: str
    columns: tuple[str, ...]
    total: str | None
    shared: str | None = None

    @property
    def total_table(self) -> str:
        return self.shared or self.name

    def cells(self) -> tuple[str, ...]:
        return (*self.columns, self.total) if self.total else self.columns


SECTIONS = (
    Section("ended", ENDED, "calls"),
    *(
        Section(name, (*words, NOT_RECORDED), "recorded", OUTCOMES)
        for name, words in OUTCOME_FIELDS.items()
    ),
    *(Section(name, words, None) for name, words in LISTED_FIELDS.items()),
)


def sections(partners: tuple[str, ...]) -> tuple[Section, ...]:
    """The tables of a year's reports: the calls' (`SECTIONS`), then follow-up care's, the
    partners (by key) being the hospital's."""
    return (
        *SECTIONS,
        Section("appointments", APPOINTMENTS, "booked"),
        Section("referral_partner", partners, REFERRALS, REFERRALS),
        Section("referral_urgency", URGENCIES, REFERRALS, REFERRALS),
        Section("referral_result", REFERRAL_STATES, REFERRALS, REFERRALS),
    )


@dataclass(frozen=True, slots=True)
class Period:
    """A calendar month (`month` 1-12) or a whole year (`month` None)."""

    year: int
    month: int | None = None

    @property
    def key(self) -> str:
        return f"{self.year}" if self.month is None else f"{self.year}-{self.month:02d}"

    def months(self) -> list[str]:
        chosen = range(1, 13) if self.month is None else [self.month]
        return [f"{self.year}-{m:02d}" for m in chosen]


@dataclass(frozen=True, slots=True)
class YearFigures:
    """The whole year's counts (every line, month and section), and which are suppressed."""

    year: int
    lines: tuple[str, ...]
    cells: dict[Key, int]
    hidden: frozenset[Key]
    waits: dict[tuple[str, str], Counter[int]]  # (line, month) -> whole seconds -> calls
    up_to: int
    sections: tuple[Section, ...] = SECTIONS
    partners: dict[str, str] | None = None  # partner key -> name (the partner table's labels)

    def value(self, key: Key) -> int | None:
        """The published value: None where suppressed."""
        return None if key in self.hidden else self.cells.get(key, 0)


@dataclass(frozen=True, slots=True)
class Row:
    period: str
    values: tuple[int | None, ...]  # the section's columns, then its total; None: suppressed


@dataclass(frozen=True, slots=True)
class Speed:
    period: str
    answer_rate: float | None  # None: no calls, or a count behind it suppressed
    median: int | None  # time to answer, None: too few calls taken (or none)
    p90: int | None


@dataclass(frozen=True, slots=True)
class Report:
    scope: str  # a line's key, or ALL
    period: Period
    up_to: int
    tables: dict[str, list[Row]]
    speed: list[Speed]
    sections: tuple[Section, ...] = SECTIONS
    partners: dict[str, str] | None = None


def year_figures(session: Session, year: int, now: datetime, up_to: int) -> YearFigures:
    """Count the year on every line, then suppress every report of it at once."""
    lines = dict(session.execute(select(Hotline.id, Hotline.key).order_by(Hotline.position)).all())
    keys = tuple(lines.values())
    counted, waits = _counted(session, lines, year, now)
    counted.update(_care_counted(session, lines, year))
    partners = dict(
        session.execute(select(Partner.key, Partner.name).order_by(Partner.position)).all()
    )
    tables = sections(tuple(partners))
    cells: dict[Key, int] = {}
    for (line, month, section, column), n in counted.items():
        cells[(section, line, month, column)] = n
    months = Period(year).months()
    complete, relations = _relations(cells, keys, months, str(year), tables)
    hidden = suppress(complete, relations, up_to)
    return YearFigures(year, keys, complete, hidden, waits, up_to, tables, partners)


def _relations(
    counted: dict[Key, int],
    lines: tuple[str, ...],
    months: list[str],
    year: str,
    tables: tuple[Section, ...] = SECTIONS,
) -> tuple[dict[Key, int], list[Relation]]:
    """Every cell with its margins (totals, the year, all lines), and the sums that tie them."""
    cells: dict[Key, int] = {}
    relations: list[Relation] = []
    for section in tables:
        name = section.total_table
        for line in lines:
            for month in months:
                parts = [(section.name, line, month, c) for c in section.columns]
                for key in parts:
                    cells[key] = counted.get(key, 0)
                if section.total is not None:
                    total = (name, line, month, section.total)
                    cells[total] = sum(cells[key] for key in parts)
                    relations.append(Relation(total, tuple(parts)))
        columns = [(section.name, c) for c in section.columns]
        if section.total is not None:
            columns.append((name, section.total))
        for table, column in dict.fromkeys(columns):
            relations.extend(_margins(cells, table, column, lines, months, year))
        if section.total is not None:
            for scope in (*lines, ALL):
                for period in (*months, year):
                    parts = [(section.name, scope, period, c) for c in section.columns]
                    total = (name, scope, period, section.total)
                    relations.append(Relation(total, tuple(parts)))
    return cells, list(dict.fromkeys(relations))


def _margins(
    cells: dict[Key, int],
    table: str,
    column: str,
    lines: tuple[str, ...],
    months: list[str],
    year: str,
) -> list[Relation]:
    """All lines = the sum of the lines; a year = the sum of its months (and both together)."""
    found = []
    for month in months:
        parts = tuple((table, line, month, column) for line in lines)
        cells[(table, ALL, month, column)] = sum(cells[key] for key in parts)
        found.append(Relation((table, ALL, month, column), parts))
    for scope in (*lines, ALL):
        parts = tuple((table, scope, month, column) for month in months)
        cells[(table, scope, year, column)] = sum(cells[key] for key in parts)
        found.append(Relation((table, scope, year, column), parts))
    return found


def report(figures: YearFigures, scope: str, period: Period) -> Report:
    """One report: a scope's tables for the month, or for each month of the year and the year."""
    periods = [*period.months(), *([str(period.year)] if period.month is None else [])]
    tables = {}
    for section in figures.sections:
        name = section.total_table
        keys = [(section.name, c) for c in section.columns]
        if section.total is not None:
            keys.append((name, section.total))
        tables[section.name] = [
            Row(p, tuple(figures.value((table, scope, p, c)) for table, c in keys)) for p in periods
        ]
    speed = [_speed(figures, scope, p) for p in periods]
    return Report(scope, period, figures.up_to, tables, speed, figures.sections, figures.partners)


def _speed(figures: YearFigures, scope: str, period: str) -> Speed:
    """Answer rate from published counts only; time to answer only over more than `up_to`
    calls taken (a median of a handful is a single call's wait)."""
    calls = figures.value(("ended", scope, period, "calls"))
    took = figures.value(("ended", scope, period, "taken"))
    rate = took / calls if calls and took is not None else None
    if took is None or took <= figures.up_to:
        return Speed(period, rate, None, None)
    lines = figures.lines if scope == ALL else (scope,)
    months = [period] if "-" in period else Period(figures.year).months()
    waits: Counter[int] = Counter()
    for line in lines:
        for month in months:
            waits.update(figures.waits.get((line, month), Counter()))
    counted = sorted(waits.items())
    return Speed(period, rate, quantile(counted, 0.5), quantile(counted, 0.9))


# --- Counting the year: by line and local month, from the statistics' tallies -----------------


def _counted(
    session: Session, lines: dict[int, str], year: int, now: datetime
) -> tuple[Counter[Key], dict[tuple[str, str], Counter[int]]]:
    """(line, month, section, column) -> calls, and (line, month) -> waits in whole seconds:
    the days the `stats-rollup` job has counted from its roll-ups, the rest from the raw rows
    (`records.rollups`, the statistics' own counts)."""
    found: Counter[Key] = Counter()
    waits: dict[tuple[str, str], Counter[int]] = {}
    tallies = tallies_by_month(session, lines.values(), date(year, 1, 1), date(year, 12, 31), now)
    for (line_id, month), tally in tallies.items():
        line = lines[line_id]
        for name in ENDED:
            found[(line, month, "ended", name)] += tally.n[("figure", name)]
        for (kind, key), n in tally.n.items():
            if kind in OUTCOME_FIELDS:
                value = key if key in OUTCOME_FIELDS[kind] else NOT_RECORDED
                found[(line, month, kind, value)] += n
            elif kind in LISTED_FIELDS:
                found[(line, month, kind, key)] += n
            elif kind == "wait" and n:
                waits.setdefault((line, month), Counter())[int(key)] += n
    return +found, waits


def _care_counted(session: Session, lines: dict[int, str], year: int) -> Counter[Key]:
    """(line, month, section, column) -> bookings or referrals, each line's local months:
    the counts of `hotline.care.reports`, a month at a time."""
    found: Counter[Key] = Counter()
    zones = dict(session.execute(select(Hotline.id, Hotline.timezone)).all())
    for line_id, line in lines.items():
        tz = ZoneInfo(zones[line_id])
        for month in range(1, 13):
            start = to_instant(datetime.combine(date(year, month, 1), time()), tz)
            after = date(year + month // 12, month % 12 + 1, 1)
            end = to_instant(datetime.combine(after, time()), tz)
            key = f"{year}-{month:02d}"
            booked = appointment_counts(session, [line_id], start, end)
            for name in APPOINTMENTS:
                found[(line, key, "appointments", name)] += booked[name]
            for r in referral_counts(session, [line_id], start, end):
                found[(line, key, "referral_partner", r.partner)] += r.count
                found[(line, key, "referral_urgency", r.urgency)] += r.count
                found[(line, key, "referral_result", r.result)] += r.count
    return +found
