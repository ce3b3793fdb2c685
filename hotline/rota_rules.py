"""A line's coverage rules checked against its rota versions: what `rota check`, the
coverage-gaps job, the import and the API report. Rules warn; nothing here blocks a rota."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Counselor, Hotline
from hotline.rota_versions import versions_from
from rota.rules import (
    CoverageRules,
    LineFacts,
    Violation,
    check_rules,
    read_rules,
    scan_window,
)
from rota.service_hours import read_service_hours


def line_rules(line: Hotline) -> CoverageRules:
    return read_rules(line.coverage_rules)


def line_facts(line: Hotline, qualifications: dict[str, frozenset[str]]) -> LineFacts:
    hours = None if line.service_hours is None else read_service_hours(line.service_hours)
    return LineFacts(ZoneInfo(line.timezone), hours, qualifications)


def staff_qualifications(session: Session) -> dict[str, frozenset[str]]:
    """Every counselor's qualifications as they are now (they are not versioned)."""
    rows = session.execute(select(Counselor.key, Counselor.qualifications)).all()
    return {key: frozenset(words) for key, words in rows}


def check_line(
    session: Session,
    line: Hotline,
    start: datetime,
    end: datetime,
    qualifications: dict[str, frozenset[str]] | None = None,
) -> list[Violation]:
    """The line's violations overlapping `[start, end)`, each judged by the versions in force."""
    rules = line_rules(line)
    if rules.is_empty:
        return []
    known = staff_qualifications(session) if qualifications is None else qualifications
    facts = line_facts(line, known)
    history = versions_from(session, line.id, scan_window(rules, facts.tz, start, end)[0])
    return check_rules(rules, history, facts, start, end)


def check_lines(
    session: Session, lines: Iterable[Hotline], start: datetime, end: datetime
) -> dict[str, list[Violation]]:
    known = staff_qualifications(session)
    return {line.key: check_line(session, line, start, end, known) for line in lines}


def lines_with_rules(session: Session) -> list[Hotline]:
    lines = session.scalars(select(Hotline).order_by(Hotline.position)).all()
    return [line for line in lines if line.coverage_rules]


def violations_from(session: Session, start: datetime, days: int) -> dict[str, list[Violation]]:
    """Every line's violations in `[start, start + days)` (lines without rules left out)."""
    end = start + timedelta(days=days)
    return check_lines(session, lines_with_rules(session), start, end)


def created(
    before: dict[str, list[Violation]], after: dict[str, list[Violation]]
) -> dict[str, list[Violation]]:
    """The violations of `after` that `before` did not have, per line: what a change made."""
    found = {}
    for line, violations in after.items():
        old = set(before.get(line, ()))
        new = [v for v in violations if v not in old]
        if new:
            found[line] = new
    return found
