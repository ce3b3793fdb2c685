"""What importing a checked configuration would change, section by section: entries added,
changed and removed (and lines, partners and counselors left out of the file, which are kept),
in words an operator reads before and after an import."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.config.document import Configuration, CounselorConfig, HotlineConfig
from hotline.models import Counselor, Hotline, Leave, Partner, RotaOverride, RotaPattern

SECTIONS = ("lines", "partners", "counselors", "patterns", "overrides", "leave")


@dataclass(slots=True)
class SectionDifference:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # in the database, not in the file: kept

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.kept)


@dataclass(slots=True)
class Difference:
    sections: dict[str, SectionDifference] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {name: asdict(found) for name, found in self.sections.items() if found}

    def describe(self) -> str:
        """One line per entry, under its section; "no changes" when there are none."""
        lines: list[str] = []
        for name, found in self.sections.items():
            if not found:
                continue
            lines.append(f"{name}:")
            for sign, entries in (("+", found.added), ("~", found.changed), ("-", found.removed)):
                lines.extend(f"  {sign} {entry}" for entry in entries)
            lines.extend(f"  = {entry} (not in the file: kept)" for entry in found.kept)
        return "\n".join(lines) or "no changes"


def hotline_values(item: HotlineConfig) -> dict[str, Any]:
    hours = [dict(w) for w in item.service_hours] if item.service_hours is not None else None
    return {**asdict(item), "overflow": list(item.overflow), "service_hours": hours}


def counselor_values(item: CounselorConfig) -> dict[str, Any]:
    return {
        **asdict(item),
        "qualifications": list(item.qualifications),
        "languages": list(item.languages),
    }


def configuration_difference(session: Session, config: Configuration) -> Difference:
    """Compare `config` (checked) with the database; sections left out of the file are kept
    whole and not listed."""
    found = Difference()
    keyed = (
        ("lines", Hotline, config.hotlines, hotline_values),
        ("partners", Partner, config.partners, asdict),
        ("counselors", Counselor, config.counselors, counselor_values),
    )
    for name, model, items, values_of in keyed:
        if items is not None:
            found.sections[name] = _keyed(session, model, items, values_of)
    lines = dict(session.execute(select(Hotline.id, Hotline.key)).all())
    staff = dict(session.execute(select(Counselor.id, Counselor.key)).all())
    stated = config.declared_lines
    if config.rota is not None:
        now = [_pattern(r, lines[r.hotline_id]) for r in _rows(session, RotaPattern)]
        wanted = [_pattern(p, p.hotline) for p in config.rota]
        found.sections["patterns"] = _owned(now, wanted, stated)
    if config.overrides is not None:
        now = [_override(r, lines[r.hotline_id]) for r in _rows(session, RotaOverride)]
        wanted = [_override(o, o.hotline) for o in config.overrides]
        found.sections["overrides"] = _owned(now, wanted, stated)
    if config.leave is not None:
        now = [_leave(r, staff[r.counselor_id]) for r in _rows(session, Leave)]
        wanted = [_leave(v, v.counselor) for v in config.leave]
        found.sections["leave"] = _owned(now, wanted, config.declared_counselors)
    return found


def _owned(current: list[Entry], wanted: list[Entry], stated: frozenset[str]) -> SectionDifference:
    """As the import writes a rota section (`importer.merged_entries`): the owners the file
    states in full compared entry by entry; of the others, entries are added or changed by
    key, and those the file does not name are kept."""
    mine = [e for e in current if e[1][0] in stated]
    found = _entries(mine, [e for e in wanted if e[1][0] in stated])
    others = [e for e in current if e[1][0] not in stated]
    before = {e[0]: e for e in others if e[0] is not None}
    contents = {e[1] for e in others if e[0] is None}
    touched = set()
    for identity, content, words in (e for e in wanted if e[1][0] not in stated):
        old = before.get(identity) if identity is not None else None
        if identity is None and content in contents:
            touched.add(content)
        elif old is None:
            found.added.append(words)
        elif old[1] != content:
            found.changed.append(f"{old[2]} → {words}")
            touched.add(old[1])
        else:
            touched.add(old[1])
    found.kept.extend(e[2] for e in others if e[1] not in touched)
    return found


def _keyed(session: Session, model: Any, items: Sequence[Any], values_of: Any) -> SectionDifference:
    """Lines, partners and counselors: matched by key, never deleted by an import."""
    rows = {row.key: row for row in session.scalars(select(model).order_by(model.position))}
    found = SectionDifference()
    for position, item in enumerate(items):
        row = rows.pop(item.key, None)
        if row is None:
            found.added.append(item.key)
            continue
        values = {**values_of(item), "position": position}
        moved = [name for name, value in values.items() if getattr(row, name) != value]
        changes = [_change(name, getattr(row, name), values[name]) for name in moved]
        if changes:
            found.changed.append(f"{item.key}: " + "; ".join(changes))
    found.kept.extend(rows)
    return found


def _change(name: str, old: Any, new: Any) -> str:
    if name == "position":
        return f"moved from place {old + 1} to {new + 1}"
    return f"{name} {_shown(old)} → {_shown(new)}"


def _shown(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


# An entry of a rota section: its identity (None without a `key`), its content, its words.
Entry = tuple[tuple[str, str] | None, tuple[str, ...], str]


def _rows(session: Session, model: Any) -> Sequence[Any]:
    return session.scalars(select(model).order_by(model.position)).all()


def _pattern(p: Any, line: str) -> Entry:
    dates = f" from {p.valid_from or '…'} until {p.valid_until or '…'}"
    period = dates if p.valid_from or p.valid_until else ""
    shape = " ".join(f"{k}={_spec(v)}" for k, v in sorted(p.spec.items()))
    words = f"{line} tier {p.tier} {p.kind} {shape}{period}: {', '.join(p.counselors)}"
    content = (line, str(p.tier), p.kind, _shown(p.spec), *p.counselors, str(period))
    return ((line, p.key) if p.key else None, content, _named(p.key, words))


def _override(o: Any, line: str) -> Entry:
    words = f"{line} tier {o.tier} {o.start} to {o.end}: {', '.join(o.counselors)}"
    content = (line, str(o.tier), o.start, o.end, *o.counselors)
    return ((line, o.key) if o.key else None, content, _named(o.key, words))


def _leave(v: Any, counselor: str) -> Entry:
    words = f"{counselor} {v.start} to {v.end}"
    content = (counselor, v.start, v.end)
    return ((counselor, v.key) if v.key else None, content, _named(v.key, words))


def _spec(value: Any) -> str:
    return ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)


def _named(key: str | None, words: str) -> str:
    return f"{key} ({words})" if key else words


def _entries(current: list[Entry], wanted: list[Entry]) -> SectionDifference:
    """Entries with a key are matched by it (changed in place); others by their content."""
    found = SectionDifference()
    before = {entry[0]: entry for entry in current if entry[0] is not None}
    for identity, content, words in wanted:
        if identity is None:
            continue
        old = before.pop(identity, None)
        if old is None:
            found.added.append(words)
        elif old[1] != content:
            found.changed.append(f"{old[2]} → {words}")
    found.removed.extend(entry[2] for entry in before.values())
    plain_now = Counter((c, w) for i, c, w in current if i is None)
    plain_new = Counter((c, w) for i, c, w in wanted if i is None)
    found.removed.extend(w for (_, w), n in (plain_now - plain_new).items() for _ in range(n))
    found.added.extend(w for (_, w), n in (plain_new - plain_now).items() for _ in range(n))
    if not found and [e[1] for e in current] != [e[1] for e in wanted]:
        found.changed.append("the order of the entries (it decides who is rung first)")
    return found
