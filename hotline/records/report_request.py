"""Asking for a report: which period (a month or a calendar year), which lines, checked."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Hotline
from hotline.records.report import ALL, Period


class BadReport(ValueError):
    """`code`: `period` (not YYYY or YYYY-MM, or not yet begun), `unknown-line`,
    `not-your-line` (an all-lines report needs every line)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def parse_period(text: str, today: date) -> Period:
    """`YYYY` or `YYYY-MM`, begun by `today` (the report of a year to come would be empty)."""
    try:
        if len(text) == 4:
            found = Period(int(text))
        elif len(text) == 7 and text[4] == "-":
            found = Period(int(text[:4]), int(text[5:]))
        else:
            raise ValueError(text)
        date(found.year, found.month or 1, 1)
    except ValueError:
        raise BadReport("period", text) from None
    if date(found.year, found.month or 1, 1) > today or found.year < 2000:
        raise BadReport("period", text)
    return found


def check_scope(session: Session, scope: str, readable: set[str] | None) -> str:
    """The scope (a line's key, or ALL), checked; `readable`: the lines the asker may read
    (None: all)."""
    lines = set(session.scalars(select(Hotline.key)))
    if scope == ALL:
        if readable is not None and not lines <= readable:
            raise BadReport("not-your-line", ALL)
        return scope
    if scope not in lines:
        raise BadReport("unknown-line", scope)
    if readable is not None and scope not in readable:
        raise BadReport("not-your-line", scope)
    return scope


def scope_name(session: Session, scope: str) -> str:
    """The line's name (empty for ALL: the renderer says "All lines" in the reader's language)."""
    if scope == ALL:
        return ""
    return session.scalar(select(Hotline.name).where(Hotline.key == scope)) or scope
