"""What a statistics request asks (lines, days, buckets), checked against who is asking.

A bad question is refused with a code the page translates and the CLI spells out (exit 2):
never a 500, never a figure for a line outside the asker's scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Hotline
from hotline.records.scope import Viewer

MAX_YEARS = 5
BUCKETS = ("day", "week", "month")
# Who may read statistics (the access table says so for the page, too): counts, no records.
COUNTING_ROLES = frozenset({"admin", "supervisor", "operator"})


# Days a question may name: calls before the service existed or in the far future are a typo,
# and the ends of the calendar overflow a zone's conversion.
EARLIEST_DAY, LATEST_DAY = date(2000, 1, 1), date(2099, 12, 31)


class BadQuestion(ValueError):
    """`code`: `reversed`, `too-long`, `out-of-range`, `unknown-line`, `not-your-line`,
    `no-lines`, `bucket`."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Question:
    """Lines by key (in the lines' order); days inclusive, each line's own zone; None: the
    call log's default (the last 30 days up to each line's today)."""

    lines: tuple[str, ...]
    start: date | None = None
    end: date | None = None
    bucket: str = "day"


@dataclass(frozen=True, slots=True)
class LineInScope:
    key: str
    name: str
    timezone: str


def lines_in_scope(session: Session, viewer: Viewer) -> list[LineInScope]:
    """The lines whose figures this person may read: an administrator's all, a supervisor's
    or operator's their own (all when unscoped); nobody else's."""
    if viewer.role not in COUNTING_ROLES:
        return []
    query = select(Hotline.key, Hotline.name, Hotline.timezone, Hotline.id).order_by(
        Hotline.position
    )
    if viewer.role != "admin" and viewer.line_ids is not None:
        query = query.where(Hotline.id.in_(sorted(viewer.line_ids)))
    return [LineInScope(key, name, tz) for key, name, tz, _ in session.execute(query)]


def ask(
    session: Session,
    viewer: Viewer,
    keys: Sequence[str],
    start: date | None,
    end: date | None,
    bucket: str = "day",
    today: date | None = None,
) -> Question:
    """The question, checked; `keys` empty: every line in the viewer's scope. `today`: where a
    range given only its first day ends (the call log's rule), for the length check."""
    if bucket not in BUCKETS:
        raise BadQuestion("bucket", bucket)
    for day in (start, end):
        if day is not None and not EARLIEST_DAY <= day <= LATEST_DAY:
            raise BadQuestion("out-of-range", str(day))
    last = end if end is not None else today
    if start is not None and last is not None:
        if last < start:
            raise BadQuestion("reversed", f"{start} to {last}")
        if last > _years_after(start, MAX_YEARS):
            raise BadQuestion("too-long", f"{start} to {last}")
    allowed = [line.key for line in lines_in_scope(session, viewer)]
    if not keys:
        if not allowed:
            raise BadQuestion("no-lines")
        return Question(tuple(allowed), start, end, bucket)
    known = set(session.scalars(select(Hotline.key).where(Hotline.key.in_(list(keys)))))
    if unknown := [key for key in keys if key not in known]:
        raise BadQuestion("unknown-line", ", ".join(unknown))
    if outside := [key for key in keys if key not in allowed]:
        raise BadQuestion("not-your-line", ", ".join(outside))
    return Question(tuple(key for key in allowed if key in set(keys)), start, end, bucket)


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February: the 28th that many years on
        return day.replace(year=day.year + years, day=28)
