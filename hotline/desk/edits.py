"""Overrides and leave edited in the app, written by the configuration import itself.

An edit is turned into the section of a configuration file that states its owner in full (a
line's overrides, a counselor's leave), then checked by `parse_configuration` and written by
`write_configuration`: the same checks as `hotline config import`, the same writer, a new rota
version for each line whose rota changed. Nothing here writes a rota table. Entries the app
makes get a key (`desk-...`), so export and import round-trip them as they are.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.config.document import Known
from hotline.config.importer import ImportSummary, known_configuration, write_configuration
from hotline.config.schema import parse_configuration
from hotline.models import Counselor, Hotline, Leave, RotaOverride


@dataclass(frozen=True, slots=True)
class OverrideEdit:
    """A new override (`ref` None), a change to one (`ref` names it), or its removal."""

    line: str
    ref: str | None
    tier: int = 1
    start: str = ""
    end: str = ""
    counselors: tuple[str, ...] = ()
    remove: bool = False


@dataclass(frozen=True, slots=True)
class LeaveEdit:
    counselor: str
    ref: str | None
    start: str = ""
    end: str = ""
    remove: bool = False


class GoneMeanwhile(LookupError):
    """The entry edited is not there any more (someone changed or removed it meanwhile)."""


@dataclass(frozen=True, slots=True)
class Written:
    summary: ImportSummary
    section: str  # the file section written, as YAML: what the audit log keeps


def new_key(prefix: str = "desk") -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def entry_ref(entry: dict[str, Any]) -> str:
    """How the app names an entry: its key, else a digest of what it says (stable while
    nobody changes it; an entry changed meanwhile is then not found, never the wrong one)."""
    if entry.get("key"):
        return str(entry["key"])
    text = json.dumps(entry, sort_keys=True, ensure_ascii=False)
    return "c-" + hashlib.sha256(text.encode()).hexdigest()[:16]


def line_overrides(session: Session, line: Hotline) -> list[dict[str, Any]]:
    """The line's overrides as the file writes them, in order (the later wins)."""
    rows = session.execute(
        select(RotaOverride.key, RotaOverride.tier, RotaOverride.start, RotaOverride.end,
               RotaOverride.counselors)
        .where(RotaOverride.hotline_id == line.id)
        .order_by(RotaOverride.position)
    )  # fmt: skip
    return [
        _keyed(key, {"hotline": line.key, "tier": tier, "start": start, "end": end,
                     "counselors": list(names)})
        for key, tier, start, end, names in rows
    ]  # fmt: skip


def staff_leave(session: Session, keys: list[str]) -> list[dict[str, Any]]:
    """The leave of these counselors as the file writes it, each counselor's in order."""
    rows = session.execute(
        select(Counselor.key, Leave.key, Leave.start, Leave.end)
        .join(Counselor, Counselor.id == Leave.counselor_id)
        .where(Counselor.key.in_(keys))
        .order_by(Counselor.key, Leave.position)
    )
    return [
        _keyed(key, {"counselor": counselor, "start": start, "end": end})
        for counselor, key, start, end in rows
    ]


def counselor_leave(session: Session, counselor: Counselor) -> list[dict[str, Any]]:
    return staff_leave(session, [counselor.key])


def override_section(session: Session, line: Hotline, edit: OverrideEdit) -> list[dict[str, Any]]:
    """The line's overrides with the edit made: the entry edited leaves its place and the new
    one goes last, since an override saved later wins over the earlier ones."""
    entries, kept_key = _without(line_overrides(session, line), edit.ref)
    if not edit.remove:
        entries.append(
            {"key": kept_key or new_key(), "hotline": line.key, "tier": edit.tier,
             "start": edit.start, "end": edit.end, "counselors": list(edit.counselors)}
        )  # fmt: skip
    return entries


def leave_section(session: Session, counselor: Counselor, edit: LeaveEdit) -> list[dict[str, Any]]:
    entries, kept_key = _without(counselor_leave(session, counselor), edit.ref)
    if not edit.remove:
        entries.append(
            {"key": kept_key or new_key(), "counselor": counselor.key, "start": edit.start,
             "end": edit.end}
        )  # fmt: skip
    return entries


def write_overrides(
    session: Session, line: Hotline, edit: OverrideEdit, known: Known, now: datetime
) -> Written:
    """Check and write the edit as an import; raises `ConfigurationError` (nothing written)
    or `GoneMeanwhile`. A new or keyed entry goes as a file of that one entry (the import
    merges it by key); a removal, or a change to an entry without a key, as the line's
    overrides stated in full."""
    entries = override_section(session, line, edit)
    if _merges(entries, edit.ref, edit.remove):
        return _write("overrides", entries[-1:], frozenset(), frozenset(), session, known, now)
    return _write("overrides", entries, frozenset({line.key}), frozenset(), session, known, now)


def write_leave(
    session: Session, counselor: Counselor, edit: LeaveEdit, known: Known, now: datetime
) -> Written:
    entries = leave_section(session, counselor, edit)
    if _merges(entries, edit.ref, edit.remove):
        return _write("leave", entries[-1:], frozenset(), frozenset(), session, known, now)
    return _write("leave", entries, frozenset(), frozenset({counselor.key}), session, known, now)


def _merges(entries: list[dict[str, Any]], ref: str | None, remove: bool) -> bool:
    """Whether one entry is enough: it has a key, and either it is new or it keeps the key of
    the entry it changes (never for a removal)."""
    return not remove and bool(entries) and (ref is None or entries[-1]["key"] == ref)


def _write(
    section: str,
    entries: list[dict[str, Any]],
    lines: frozenset[str],
    counselors: frozenset[str],
    session: Session,
    known: Known,
    now: datetime,
) -> Written:
    text = _file(section, entries)
    config = replace(
        parse_configuration(text, known), declared_lines=lines, declared_counselors=counselors
    )
    return Written(write_configuration(session, config, known, text, now), text)


def known_now(session: Session) -> Known:
    return known_configuration(session)


def _without(entries: list[dict[str, Any]], ref: str | None) -> tuple[list[dict[str, Any]], str]:
    """`entries` less the one `ref` names (GoneMeanwhile if none does), and that one's key."""
    if ref is None:
        return entries, ""
    for index, entry in enumerate(entries):
        if entry_ref(entry) == ref:
            return entries[:index] + entries[index + 1 :], str(entry.get("key") or "")
    raise GoneMeanwhile(ref)


def _file(section: str, entries: list[dict[str, Any]]) -> str:
    return yaml.safe_dump({section: entries}, allow_unicode=True, sort_keys=False, width=100)


def _keyed(key: str | None, values: dict[str, Any]) -> dict[str, Any]:
    return {"key": key, **values} if key else values
