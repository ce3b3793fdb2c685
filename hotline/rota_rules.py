"""A line's coverage rules checked against its rota versions: what `rota check`, the
coverage-gaps job, the import and the API report. Rules warn; nothing here blocks a rota."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import String, any_, bindparam, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from hotline.models import Counselor, Hotline
from hotline.rota_versions import versions_from_each
from rota.rule_checks import ResolvedTimeline
from rota.rules import (
    CoverageRules,
    LineFacts,
    Violation,
    check_rules,
    read_rules,
    scan_window,
)
from rota.service_hours import read_service_hours

_CHUNK = 500  # keys per IN list


def line_rules(line: Hotline) -> CoverageRules:
    return read_rules(line.coverage_rules)


def line_facts(line: Hotline, qualifications: dict[str, frozenset[str]]) -> LineFacts:
    hours = None if line.service_hours is None else read_service_hours(line.service_hours)
    return LineFacts(ZoneInfo(line.timezone), hours, qualifications)


def staff_qualifications(
    session: Session, keys: Iterable[str] | None = None
) -> dict[str, frozenset[str]]:
    """Counselors' qualifications as they are now (they are not versioned): of `keys` only,
    or of everyone."""
    query = select(Counselor.key, Counselor.qualifications)
    if keys is None:
        return {key: frozenset(words) for key, words in session.execute(query).all()}
    wanted, found = sorted(set(keys)), {}
    if session.get_bind().dialect.name == "postgresql":  # one array, however many keys
        listed = bindparam("keys", wanted, type_=ARRAY(String))
        rows = session.execute(query.where(Counselor.key == any_(listed))).all()
        return {key: frozenset(words) for key, words in rows}
    for first in range(0, len(wanted), _CHUNK):
        chunk = wanted[first : first + _CHUNK]
        rows = session.execute(query.where(Counselor.key.in_(chunk))).all()
        found.update({key: frozenset(words) for key, words in rows})
    return found


def check_line(
    session: Session,
    line: Hotline,
    start: datetime,
    end: datetime,
    qualifications: dict[str, frozenset[str]] | None = None,
) -> list[Violation]:
    """The line's violations overlapping `[start, end)`, each judged by the versions in force."""
    return check_lines(session, [line], start, end, qualifications)[line.key]


def check_lines(
    session: Session,
    lines: Iterable[Hotline],
    start: datetime,
    end: datetime,
    qualifications: dict[str, frozenset[str]] | None = None,
) -> dict[str, list[Violation]]:
    """Each line's violations overlapping `[start, end)`. The versions of every line are read
    in one query and each line's timeline is resolved once; then only the qualifications of
    the counselors on the timelines of lines with a `qualified` rule are read (unless given)."""
    ruled = [(line, line_rules(line)) for line in lines]
    scans = {
        line.id: scan_window(rules, ZoneInfo(line.timezone), start, end)
        for line, rules in ruled
        if not rules.is_empty
    }
    histories = versions_from_each(session, {line: scan[0] for line, scan in scans.items()})
    timelines = {
        line: ResolvedTimeline(histories[line].timeline(*scan)) for line, scan in scans.items()
    }
    if qualifications is None:
        named = (timelines[line.id].counselors() for line, rules in ruled if rules.qualified)
        wanted = set().union(*named)
        qualifications = staff_qualifications(session, wanted) if wanted else {}
    return {
        line.key: check_rules(
            rules, timelines[line.id], line_facts(line, qualifications), start, end
        )
        if line.id in timelines
        else []
        for line, rules in ruled
    }


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
