"""Writing a checked configuration: sections in the file replace what is there (rota entries:
of the owners the file states in full; see `merged_entries`), then new rota versions are
published for the lines whose rota changed. Importing twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import copy
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from hotline.config.difference import (
    Difference,
    configuration_difference,
    counselor_values,
    hotline_values,
)
from hotline.config.document import (
    Configuration,
    CounselorConfig,
    HotlineConfig,
    Known,
    PartnerConfig,
)
from hotline.config.schema import parse_configuration
from hotline.models import Counselor, Hotline, Leave, Partner, RotaOverride, RotaPattern
from hotline.rota_versions import Published, publish_versions


@dataclass(slots=True)
class ImportSummary:
    """What an import changed, for the operator: `changed` per section in brief, `difference`
    entry by entry (what `config import --dry-run` shows before), and the new rota versions."""

    changed: list[str] = field(default_factory=list)
    versions: list[Published] = field(default_factory=list)
    difference: Difference = field(default_factory=Difference)

    def as_json(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "difference": self.difference.as_json(),
            "versions": [
                {"hotline": v.hotline, "number": v.number, "saved_at": v.saved_at.isoformat()}
                for v in self.versions
            ],
        }


def known_configuration(session: Session) -> Known:
    zones = dict(session.execute(select(Hotline.key, Hotline.timezone)).all())
    numbers = dict(session.execute(select(Hotline.number, Hotline.key)).all())
    phones = dict(session.execute(select(Counselor.phone, Counselor.key)).all())
    return Known(zones, frozenset(session.scalars(select(Counselor.key))), numbers, phones)


def import_configuration(session: Session, text: str, now: datetime) -> ImportSummary:
    """Check the whole file first (raising `ConfigurationError`), then write it."""
    known = known_configuration(session)
    return write_configuration(session, parse_configuration(text, known), known, text, now)


def write_configuration(
    session: Session, config: Configuration, known: Known, text: str, now: datetime
) -> ImportSummary:
    """Write `config`, checked against `known` outside any write lock (see `hotline config
    import`); when the database changed meanwhile, the file is checked again against it."""
    if known_configuration(session) != known:
        again = parse_configuration(text, known_configuration(session))
        config = replace(
            again,
            declared_lines=again.declared_lines | config.declared_lines,
            declared_counselors=again.declared_counselors | config.declared_counselors,
        )
    summary = ImportSummary(difference=configuration_difference(session, config))
    if config.hotlines is not None:
        _upsert(session, Hotline, config.hotlines, hotline_values, "hotlines", summary)
    if config.partners is not None:
        _upsert(session, Partner, config.partners, asdict, "partners", summary)
    if config.counselors is not None:
        _upsert(session, Counselor, config.counselors, counselor_values, "counselors", summary)
    session.flush()
    _replace_rota(session, config, summary)
    summary.versions = publish_versions(session, now)
    return summary


def _upsert(
    session: Session,
    model: Any,  # Hotline, Partner or Counselor: each has a unique `key`
    items: Sequence[HotlineConfig | PartnerConfig | CounselorConfig],
    values_of: Any,
    section: str,
    summary: ImportSummary,
) -> None:
    """Rows are matched by key and never deleted: call records and versions refer to them."""
    existing: dict[str, Any] = {row.key: row for row in session.scalars(select(model))}
    for position, item in enumerate(items):
        values = {**values_of(item), "position": position}
        row = existing.get(item.key)
        if row is None:
            session.add(model(**values))
            summary.changed.append(f"{section}: added {item.key}")
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            summary.changed.append(f"{section}: updated {item.key}")


def _replace_rota(session: Session, config: Configuration, summary: ImportSummary) -> None:
    lines = {row.key: row.id for row in session.scalars(select(Hotline))}
    staff = {row.key: row.id for row in session.scalars(select(Counselor))}
    stated_lines = {lines[key] for key in config.declared_lines if key in lines}
    stated_staff = {staff[key] for key in config.declared_counselors if key in staff}
    if config.rota is not None:
        wanted = [
            RotaPattern(
                hotline_id=lines[p.hotline],
                key=p.key,
                position=i,
                tier=p.tier,
                kind=p.kind,
                spec=p.spec,
                counselors=list(p.counselors),
                valid_from=p.valid_from,
                valid_until=p.valid_until,
            )
            for i, p in enumerate(config.rota)
        ]
        _replace(session, RotaPattern, wanted, stated_lines, "rota", summary)
    if config.overrides is not None:
        overrides = [
            RotaOverride(
                hotline_id=lines[o.hotline],
                key=o.key,
                position=i,
                tier=o.tier,
                start=o.start,
                end=o.end,
                counselors=list(o.counselors),
            )
            for i, o in enumerate(config.overrides)
        ]
        _replace(session, RotaOverride, overrides, stated_lines, "overrides", summary)
    if config.leave is not None:
        leave = [
            Leave(counselor_id=staff[v.counselor], key=v.key, position=i, start=v.start, end=v.end)
            for i, v in enumerate(config.leave)
        ]
        _replace(session, Leave, leave, stated_staff, "leave", summary)


# The columns that make an entry (its owner first); `position` is where it stands.
_COMPARED = {
    RotaPattern: (
        "hotline_id",
        "key",
        "tier",
        "kind",
        "spec",
        "counselors",
        "valid_from",
        "valid_until",
    ),
    RotaOverride: ("hotline_id", "key", "tier", "start", "end", "counselors"),
    Leave: ("counselor_id", "key", "start", "end"),
}
Rows = Sequence[RotaPattern | RotaOverride | Leave]


def _replace(
    session: Session,
    model: type[RotaPattern] | type[RotaOverride] | type[Leave],
    wanted: Rows,
    stated: set[int],
    section: str,
    summary: ImportSummary,
) -> None:
    """Write a section, but only when an owner's entries change: an unchanged file writes
    nothing. The owners the file states in full (`stated`) get exactly its entries; others
    are merged (see `merged_entries`)."""
    names = _COMPARED[model]
    # Columns, not ORM objects: a year of overrides is thousands of rows, read at every edit.
    columns = [getattr(model, name) for name in names]
    current = [
        dict(zip(names, row, strict=True))
        for row in session.execute(select(*columns).order_by(model.position))
    ]
    given = [{name: getattr(row, name) for name in names} for row in wanted]
    values = {_content(row, names): row for row in [*current, *given]}
    now = [_content(row, names) for row in current]
    final = merged_entries(now, [_content(row, names) for row in given], stated)
    if _by_owner(final) == _by_owner(now):
        return
    session.execute(delete(model))
    rows = [
        {**{name: copy(values[entry][name]) for name in names}, "position": position}
        for position, entry in enumerate(final)
    ]
    if rows:
        session.execute(insert(model), rows)
    session.flush()
    summary.changed.append(f"{section}: {len(current)} entries replaced by {len(final)}")


Content = tuple[Any, ...]  # an entry's columns, `_COMPARED` order: (owner, key, ...)


def merged_entries(
    current: list[Content], wanted: list[Content], stated: set[int]
) -> list[Content]:
    """The entries after an import. Policy: a file states in full the entries of the owners
    it declares (lines in `hotlines:`, counselors in `counselors:`, as an export does): theirs
    become exactly the file's. Of any other owner, nothing is removed: an entry with a key
    is added, or changed in place of the one with its key (moved last: saved later, it wins
    over earlier overrides); one without a key is added unless an equal one is there. So a
    file with one override adds or changes that one and never loses the others."""
    merging = [entry for entry in wanted if entry[0] not in stated]
    by_key = {(entry[0], entry[1]): entry for entry in merging if entry[1]}
    kept = [
        entry
        for entry in current
        if entry[0] not in stated
        and (not entry[1] or by_key.get((entry[0], entry[1]), entry) == entry)
    ]
    present = set(kept)
    added = [entry for entry in merging if entry not in present]
    return kept + [entry for entry in wanted if entry[0] in stated] + list(dict.fromkeys(added))


def _content(row: dict[str, Any], names: tuple[str, ...]) -> Content:
    return tuple(_frozen(row[name]) for name in names)


def _frozen(value: Any) -> Any:
    """Lists and mappings as tuples, so that entries can be compared and hashed."""
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    return value


def _by_owner(entries: list[Content]) -> dict[Any, list[Content]]:
    """Each owner's entries in order: only the order within an owner means anything."""
    found: dict[Any, list[Content]] = {}
    for entry in entries:
        found.setdefault(entry[0], []).append(entry)
    return found
