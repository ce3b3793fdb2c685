"""Writing a checked configuration: sections in the file replace what is there, then new
rota versions are published for the lines whose rota changed. Importing twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
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
        config = parse_configuration(text, known_configuration(session))
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
        _replace(session, RotaPattern, wanted, "rota", summary)
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
        _replace(session, RotaOverride, overrides, "overrides", summary)
    if config.leave is not None:
        leave = [
            Leave(counselor_id=staff[v.counselor], key=v.key, position=i, start=v.start, end=v.end)
            for i, v in enumerate(config.leave)
        ]
        _replace(session, Leave, leave, "leave", summary)


_COMPARED = {
    RotaPattern: (
        "hotline_id",
        "key",
        "position",
        "tier",
        "kind",
        "spec",
        "counselors",
        "valid_from",
        "valid_until",
    ),
    RotaOverride: ("hotline_id", "key", "position", "tier", "start", "end", "counselors"),
    Leave: ("counselor_id", "key", "position", "start", "end"),
}


def _replace(
    session: Session,
    model: type[RotaPattern] | type[RotaOverride] | type[Leave],
    wanted: Sequence[RotaPattern | RotaOverride | Leave],
    section: str,
    summary: ImportSummary,
) -> None:
    """Rewrite a whole section, but only when it differs: an unchanged file writes nothing."""
    names = _COMPARED[model]
    current = session.scalars(select(model).order_by(model.position)).all()

    def content(rows: Sequence[Any]) -> list[tuple[Any, ...]]:
        return [tuple(getattr(row, name) for name in names) for row in rows]

    if content(current) == content(wanted):
        return
    session.execute(delete(model))
    session.add_all(wanted)
    session.flush()
    summary.changed.append(f"{section}: {len(current)} entries replaced by {len(wanted)}")
