"""What each statistic counts, written once: a condition on one call (its outcome, its attempts).

The statistics page, `hotline stats`, the reports and the daily summary count with these
conditions, and the call log filtered by the same `Counted` lists exactly the calls counted.
A call counts on the line it arrived on (an overflowed call too), spooled calls included.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, exists, false, func, not_, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import FunctionElement
from sqlalchemy.types import Float, String

from hotline.models import Call, CallAttempt, CallOutcome, Counselor, Hotline, Partner

# Routing's stored results (hotline.routing): handed to the fallback number (it took the call,
# or routing failed and the webhook sent the caller straight there: spooled calls), and the
# closing message said when nothing was left to dial.
FALLBACK_RESULTS = ("fallback", "error")
CLOSING_RESULT = "missed"
ABANDONED_RESULT = "abandoned"
# Service level: taken by a counselor within this many seconds of arrival.
SERVICE_LEVELS = (20, 30)
# A counselor's leg: rung (skipped as busy is not rung), declined at the screen, not answered
# (no answer, busy, a voicemail that pressed nothing, a failed leg).
LEGS = {
    "rung": None,
    "declined": ("declined",),
    "not-answered": ("no-answer", "no-key", "busy", "failed"),
}
SKIPPED_LEG = "busy-elsewhere"


def taken() -> ColumnElement[bool]:
    """Bridged to a counselor (of any line: an overflowed call is taken too)."""
    return Call.answered_by_id.is_not(None)


def _not_taken_with(condition: ColumnElement[bool]) -> ColumnElement[bool]:
    return and_(Call.answered_by_id.is_(None), condition)


def _settled() -> ColumnElement[bool]:
    return Call.result.in_((*FALLBACK_RESULTS, CLOSING_RESULT, ABANDONED_RESULT))


def _within(seconds: int) -> Callable[[], ColumnElement[bool]]:
    return lambda: and_(taken(), WaitSeconds(Call.arrived_at, Call.answered_at) <= seconds)


@dataclass(frozen=True, slots=True)
class Figure:
    """A condition on the call (joined to its outcome, outer, and to its arrival line as
    `Hotline`), or on some attempt of it, or either."""

    on_call: Callable[[], ColumnElement[bool]] | None = None
    on_attempt: Callable[[], ColumnElement[bool]] | None = None

    def condition(self) -> ColumnElement[bool]:
        """The call is counted (for the call log: one row per call)."""
        parts = [self.on_call()] if self.on_call else []
        if self.on_attempt is not None:
            parts.append(exists().where(CallAttempt.call_id == Call.id, self.on_attempt()))
        return or_(*parts)

    def joined(self) -> ColumnElement[bool]:
        """The same, on a row of calls LEFT JOIN attempts (count distinct calls with it)."""
        parts = [self.on_call()] if self.on_call else []
        return or_(*parts, *([self.on_attempt()] if self.on_attempt else []))


# taken + fallback + closing + abandoned + unsettled is every call (a partition); the others
# are subsets.
FIGURES: dict[str, Figure] = {
    "calls": Figure(true),
    "taken": Figure(taken),
    "not-taken": Figure(lambda: Call.answered_by_id.is_(None)),
    "fallback": Figure(lambda: _not_taken_with(Call.result.in_(FALLBACK_RESULTS))),
    "closing": Figure(lambda: _not_taken_with(Call.result == CLOSING_RESULT)),
    "abandoned": Figure(lambda: _not_taken_with(Call.result == ABANDONED_RESULT)),
    # Still routing, or its callbacks were lost: nobody knows how it ended.
    "unsettled": Figure(lambda: _not_taken_with(not_(_settled()))),
    "within-20": Figure(_within(20)),
    "within-30": Figure(_within(30)),
    "outcome-recorded": Figure(lambda: CallOutcome.id.is_not(None)),
    "outcome-missing": Figure(lambda: and_(taken(), CallOutcome.id.is_(None))),
    # Routing reached a tier after the first of the line's own rota.
    "backup-tier": Figure(
        on_attempt=lambda: and_(
            CallAttempt.kind == "counselor",
            CallAttempt.hotline_id == Call.hotline_id,
            CallAttempt.tier >= 2,
        )
    ),
    "overflow-line": Figure(
        on_attempt=lambda: and_(
            CallAttempt.kind == "counselor", CallAttempt.hotline_id != Call.hotline_id
        )
    ),
    # The fallback number was dialed, or the webhook sent the caller there after an error.
    "fallback-needed": Figure(
        on_call=lambda: Call.result == "error", on_attempt=lambda: CallAttempt.kind == "fallback"
    ),
}
CALL_FIGURES = tuple(name for name, f in FIGURES.items() if f.on_attempt is None)
ATTEMPT_FIGURES = tuple(name for name, f in FIGURES.items() if f.on_attempt is not None)
# Figures of the outcome form: one value each (a list for topics and actions).
OUTCOME_FIELDS = ("call_type", "topic", "risk", "action", "partner", "caller_type", "age_band")


@dataclass(frozen=True, slots=True)
class Counted:
    """Which calls a figure counts, beyond the lines and days: the call log's extra filters."""

    figure: str | None = None
    topic: str | None = None
    action: str | None = None
    partner: str | None = None
    caller_type: str | None = None
    age_band: str | None = None
    weekday: int | None = None  # 1 (Monday) to 7, local to the call's line
    hour: int | None = None  # 0 to 23, local
    rung: str | None = None  # a counselor's key: calls on which their leg was `leg`
    leg: str | None = None

    def args(self) -> dict[str, str]:
        """As query-string arguments (no empty ones)."""
        return {
            name: str(getattr(self, name))
            for name in self.__slots__
            if getattr(self, name) is not None
        }


def counted_conditions(counted: Counted) -> list[ColumnElement[bool]]:
    """The conditions on a call (joined to its arrival line as `Hotline`) that `counted` asks."""
    found: list[ColumnElement[bool]] = []
    if counted.figure is not None:
        found.append(FIGURES[counted.figure].condition())
    if counted.topic is not None:
        found.append(listed(CallOutcome.topics, counted.topic))
    if counted.action is not None:
        found.append(listed(CallOutcome.actions, counted.action))
    for name in ("caller_type", "age_band"):
        if (value := getattr(counted, name)) is not None:
            found.append(getattr(CallOutcome, name) == value)
    if counted.partner is not None:
        partner = select(Partner.id).where(Partner.key == counted.partner).scalar_subquery()
        found.append(CallOutcome.partner_id == partner)
    if counted.weekday is not None:
        found.append(local_weekday(Call.arrived_at, Hotline.timezone) == str(counted.weekday))
    if counted.hour is not None:
        found.append(local_hour(Call.arrived_at, Hotline.timezone) == f"{counted.hour:02d}")
    if counted.rung is not None:
        found.append(leg_of(counted.rung, counted.leg or "rung"))
    return found


def leg_of(counselor: str, leg: str) -> ColumnElement[bool]:
    """The counselor was rung for the call, and their leg ended as `leg` says."""
    person = select(Counselor.id).where(Counselor.key == counselor).scalar_subquery()
    return exists().where(
        CallAttempt.call_id == Call.id, CallAttempt.counselor_id == person, leg_ended(leg)
    )


def leg_ended(leg: str) -> ColumnElement[bool]:
    """An attempt's result is of this kind of leg (`rung`: any leg that rang)."""
    results = LEGS.get(leg, ())
    if results is None:
        return or_(CallAttempt.result.is_(None), CallAttempt.result != SKIPPED_LEG)
    return CallAttempt.result.in_(results) if results else false()


def listed(column: Any, value: str) -> ColumnElement[bool]:
    """`value` is one of the JSON list in `column` (topics, actions)."""
    items = JsonItems(column).table_valued("value")
    return exists(select(items.c.value).where(items.c.value == value))


# --- SQL that differs between the engines ---------------------------------------------------


class WaitSeconds(FunctionElement[float]):
    """Seconds from the first instant to the second (fractional)."""

    type = Float()
    inherit_cache = True


@compiles(WaitSeconds, "postgresql")
def _wait_pg(element: WaitSeconds, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"EXTRACT(EPOCH FROM ({end} - {start}))"


@compiles(WaitSeconds)
def _wait_sqlite(element: WaitSeconds, compiler: Any, **kw: Any) -> str:
    start, end = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 86400.0)"


class LocalStamp(FunctionElement[str]):
    """An instant on the wall clock of a zone (a column), as `YYYY-MM-DD HH D` (D: ISO weekday)."""

    type = String()
    inherit_cache = True


@compiles(LocalStamp, "postgresql")
def _stamp_pg(element: LocalStamp, compiler: Any, **kw: Any) -> str:
    at, zone = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"to_char(timezone({zone}, {at}), 'YYYY-MM-DD HH24 ID')"


@compiles(LocalStamp)
def _stamp_sqlite(element: LocalStamp, compiler: Any, **kw: Any) -> str:
    at, zone = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"hotline_local_stamp({at}, {zone})"


class JsonItems(FunctionElement[str]):
    """The text items of a JSON list, as a table (`value`)."""

    type = String()
    inherit_cache = True


@compiles(JsonItems, "postgresql")
def _items_pg(element: JsonItems, compiler: Any, **kw: Any) -> str:
    return f"json_array_elements_text({compiler.process(element.clauses, **kw)})"


@compiles(JsonItems)
def _items_sqlite(element: JsonItems, compiler: Any, **kw: Any) -> str:
    return f"json_each({compiler.process(element.clauses, **kw)})"


def local_day(at: Any, zone: Any) -> ColumnElement[str]:
    return func.substr(LocalStamp(at, zone), 1, 10)


def local_hour(at: Any, zone: Any) -> ColumnElement[str]:
    return func.substr(LocalStamp(at, zone), 12, 2)


def local_weekday(at: Any, zone: Any) -> ColumnElement[str]:
    return func.substr(LocalStamp(at, zone), 15, 1)


def allow_local_time(session: Session) -> None:
    """SQLite has no time zones: teach this connection the one function LocalStamp needs."""
    connection = session.connection()
    pooled = connection.connection
    # Once per connection: SQLite refuses to replace a function while a statement is open.
    if connection.dialect.name == "sqlite" and not pooled.info.get("hotline_local_stamp"):
        raw: Any = pooled.driver_connection
        raw.create_function("hotline_local_stamp", 2, _sqlite_stamp, deterministic=True)
        pooled.info["hotline_local_stamp"] = True


def _sqlite_stamp(stored: str | None, zone: str | None) -> str | None:
    if stored is None or zone is None:
        return None
    at = datetime.fromisoformat(stored).replace(tzinfo=UTC).astimezone(_zone(zone))
    return f"{at:%Y-%m-%d %H} {at.isoweekday()}"


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
