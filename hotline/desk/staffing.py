"""Counselors and line settings edited in the app, written by the configuration import itself.

Like `hotline.desk.edits`: an edit becomes a section of a configuration file (all counselors,
or all lines, in the order export writes them, so that no one's `position` moves), checked by
`parse_configuration` and written by `write_configuration`. The same checks as `hotline config
import` (a phone normalized and valid, never a line's number; a coverage rule that the file
would refuse is refused here), and export then import of what the app made changes nothing.
Routing picks up a changed line as after an import: `LineDirectory` re-reads every line
within a second.

Who may edit whom: administrators, any counselor and any line. An operator scoped to lines,
the counselors on those lines' rotas (patterns or overrides) and the active counselors on no
line's rota yet: an operator adds a new counselor, then puts them on a line with an override.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.config.exporter import _counselor as exported_counselor
from hotline.config.exporter import _hotline as exported_line
from hotline.config.importer import known_configuration, write_configuration
from hotline.config.schema import ConfigurationError, parse_configuration
from hotline.desk.edits import Written
from hotline.models import Counselor, Hotline
from hotline.phones import normalize_phone, region_of
from hotline.rota_versions import line_rota

# "line 3, counselors[2].phone: not a valid phone number" -> the path and the message.
_PROBLEM = re.compile(r"^line \d+, (?P<where>[^:]+): (?P<message>.*)$", re.S)
# The line settings the app edits; the number, name, zone, strategy and overflow stay the file's.
LINE_SETTINGS = (
    "language",
    "ring_seconds",
    "max_wait_seconds",
    "fallback_number",
    "closing_message",
    "alert_escalation_minutes",
    "message_links",
    "auto_approve_swaps",
    "service_hours",
    "coverage_rules",
)


@dataclass
class Refused(Exception):
    """The import refused the edit: problems of the entry edited by field, and any others."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    others: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CounselorEdit:
    """A new counselor (`key` not yet there) or a change to one; `phone` as typed."""

    key: str
    name: str
    phone: str
    qualifications: tuple[str, ...]
    languages: tuple[str, ...]
    active: bool = True


@dataclass(frozen=True, slots=True)
class Staff:
    """Which counselors each line's rota names, and the counselors on none."""

    by_line: dict[int, frozenset[str]]
    unassigned: frozenset[str]

    def visible(self, line_ids: frozenset[int] | None, active: dict[str, bool]) -> set[str]:
        """The counselors a viewer scoped to `line_ids` (None: every line) may manage."""
        if line_ids is None:
            return set(active)
        found = {key for line in line_ids for key in self.by_line.get(line, frozenset())}
        return found | {key for key in self.unassigned if active.get(key)}


def staff_of_lines(session: Session) -> Staff:
    by_line = {}
    for line in session.scalars(select(Hotline).order_by(Hotline.position)):
        rota = line_rota(session, line)
        names = {n for p in rota.patterns for n in p.counselors}
        by_line[line.id] = frozenset(names | {n for o in rota.overrides for n in o.counselors})
    everyone = set(session.scalars(select(Counselor.key)))
    named = {key for keys in by_line.values() for key in keys}
    return Staff(by_line, frozenset(everyone - named))


def counselor_entry(person: Counselor) -> dict[str, Any]:
    """The counselor as the file writes them (export's own function)."""
    return exported_counselor(person)


def line_entry(line: Hotline) -> dict[str, Any]:
    return exported_line(line)


def write_counselor(
    session: Session, edit: CounselorEdit, now: datetime, *, adding: bool
) -> Written:
    """Check and write the counselors section with the edit made; raises `Refused`."""
    staff = session.scalars(select(Counselor).order_by(Counselor.position)).all()
    entries = [counselor_entry(person) for person in staff]
    wanted: dict[str, Any] = {
        "key": edit.key,
        "name": edit.name,
        "phone": _phone_as_export_reads_it(session, edit.phone),
        "qualifications": list(edit.qualifications),
        "languages": list(edit.languages),
    }
    if not edit.active:
        wanted["active"] = False
    index = next((i for i, e in enumerate(entries) if e["key"] == edit.key), None)
    if adding or index is None:
        index = len(entries)
        entries.append(wanted)  # a key already there: the schema says "duplicate key"
    else:
        entries[index] = wanted
    return _write(session, "counselors", entries, index, now)


def write_line_settings(
    session: Session, line: Hotline, settings: dict[str, Any], now: datetime
) -> Written:
    """Check and write the lines section with this line's settings changed (a setting given as
    None is left out of the file, meaning its default); raises `Refused`."""
    lines = session.scalars(select(Hotline).order_by(Hotline.position)).all()
    entries = [line_entry(each) for each in lines]
    index = next(i for i, each in enumerate(lines) if each.id == line.id)
    entry = {k: v for k, v in entries[index].items() if k not in LINE_SETTINGS}
    entry.update({k: v for k, v in settings.items() if k in LINE_SETTINGS and v is not None})
    entries[index] = entry
    return _write(session, "hotlines", entries, index, now)


def _phone_as_export_reads_it(session: Session, phone: str) -> str:
    """A national number, read in the country of the first line, as import reads the
    counselors of an exported file (whose first section is the lines); else as typed, for
    the schema to accept or refuse."""
    phone = phone.strip()
    first = session.scalar(select(Hotline.number).order_by(Hotline.position).limit(1))
    if phone and not phone.startswith("+"):
        return normalize_phone(phone, region_of(first)) or phone
    return phone


def _write(
    session: Session, section: str, entries: list[dict[str, Any]], index: int, now: datetime
) -> Written:
    text = yaml.safe_dump({section: entries}, allow_unicode=True, sort_keys=False, width=100)
    known = known_configuration(session)
    try:
        config = parse_configuration(text, known)
    except ConfigurationError as refused:
        raise _placed(refused.problems, f"{section}[{index}]") from None
    # No rota section: nobody's patterns, overrides or leave are stated, so none are replaced.
    config = replace(config, declared_lines=frozenset(), declared_counselors=frozenset())
    return Written(write_configuration(session, config, known, text, now), text)


def _placed(problems: list[str], prefix: str) -> Refused:
    """Each problem of the entry edited under its field (with the rest of its path, as in
    `coverage_rules.night.start`); the YAML line numbers mean nothing on a form."""
    found = Refused()
    for problem in problems:
        match = _PROBLEM.match(problem)
        where = match.group("where") if match else ""
        if match and where.startswith(prefix + "."):
            path = where[len(prefix) + 1 :]
            name = re.split(r"[.\[]", path, maxsplit=1)[0]
            said = match.group("message") if path == name else f"{path}: {match['message']}"
            found.fields.setdefault(name, []).append(said)
        elif match and where == prefix:
            found.others.append(match.group("message"))
        else:
            found.others.append(problem)
    return found
