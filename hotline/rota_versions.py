"""Publishing rota versions: a line's rota snapshot, appended whenever its content changes.

A version is in force from its `saved_at` until the next one, so questions about the past are
answered by what the rota said then, whatever was edited since.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.models import Counselor, Hotline, Leave, RotaOverride, RotaPattern, RotaVersion
from rota.history import RotaHistory
from rota.localtime import parse_moment
from rota.model import (
    WEEKDAYS,
    LineRota,
    Override,
    Pattern,
    Period,
    Rotation,
    Version,
    Weekly,
)
from rota.model import Leave as LeaveRule
from rota.snapshot import from_document, to_document


@dataclass(frozen=True, slots=True)
class Published:
    hotline: str
    number: int
    saved_at: datetime


def publish_versions(session: Session, now: datetime) -> list[Published]:
    """Append a version for every line whose rota differs from its latest version."""
    published = []
    for hotline in session.scalars(select(Hotline).order_by(Hotline.position).with_for_update()):
        document = to_document(line_rota(session, hotline))
        digest = content_hash(document)
        latest = session.scalars(
            select(RotaVersion)
            .where(RotaVersion.hotline_id == hotline.id)
            .order_by(RotaVersion.number.desc())
            .limit(1)
        ).first()
        if latest is not None and latest.content_hash == digest:
            continue
        number = latest.number + 1 if latest is not None else 1
        session.add(
            RotaVersion(
                hotline_id=hotline.id,
                number=number,
                saved_at=now,
                content_hash=digest,
                document=document,
            )
        )
        published.append(Published(hotline.key, number, now))
    session.flush()
    return published


def content_hash(document: dict[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def line_rota(session: Session, hotline: Hotline) -> LineRota:
    """The line's rota as the editable tables hold it now. Columns, not ORM objects: a line
    with a year of overrides and leave has thousands of rows, read at every import or edit."""
    patterns = session.scalars(
        select(RotaPattern)
        .where(RotaPattern.hotline_id == hotline.id)
        .order_by(RotaPattern.position)
    ).all()
    overrides = session.execute(
        select(RotaOverride.tier, RotaOverride.start, RotaOverride.end, RotaOverride.counselors,
               RotaOverride.key)
        .where(RotaOverride.hotline_id == hotline.id)
        .order_by(RotaOverride.position)
    ).all()  # fmt: skip
    staff = {name for p in patterns for name in p.counselors} | {
        name for o in overrides for name in o.counselors
    }
    leave = session.execute(
        select(Counselor.key, Leave.start, Leave.end, Leave.key)
        .join(Counselor, Leave.counselor_id == Counselor.id)
        .where(Counselor.key.in_(staff))
        .order_by(Counselor.key, Leave.position)
    ).all()
    inactive = session.scalars(
        select(Counselor.key).where(Counselor.key.in_(staff), Counselor.active.is_(False))
    ).all()
    return LineRota(
        tz=ZoneInfo(hotline.timezone),
        patterns=tuple(_pattern(p) for p in patterns),
        overrides=tuple(
            Override(tier, parse_moment(start), parse_moment(end), tuple(names), key)
            for tier, start, end, names, key in overrides
        ),
        leave=tuple(
            LeaveRule(counselor, parse_moment(start), parse_moment(end), key)
            for counselor, start, end, key in leave
        ),
        inactive=frozenset(inactive),
    )


def _pattern(row: RotaPattern) -> Pattern:
    spec = row.spec
    shape: Weekly | Rotation
    if row.kind == "weekly":
        shape = Weekly(
            days=frozenset(WEEKDAYS.index(day) for day in spec["days"]),
            start=datetime.strptime(spec["start"], "%H:%M").time(),  # noqa: DTZ007 - a wall time
            end=datetime.strptime(spec["end"], "%H:%M").time(),  # noqa: DTZ007 - a wall time
        )
    else:
        every = spec["every"]
        shape = Rotation(
            start=parse_moment(spec["start"]),
            every=Period(int(every[:-1]), "h" if every.endswith("h") else "d"),
        )
    return Pattern(row.tier, shape, tuple(row.counselors), row.valid_from, row.valid_until, row.key)


def load_history(session: Session, hotline_id: int) -> RotaHistory:
    """Every version of one line, oldest first."""
    rows = session.scalars(
        select(RotaVersion).where(RotaVersion.hotline_id == hotline_id).order_by(RotaVersion.number)
    ).all()
    return RotaHistory(
        [Version(row.number, row.saved_at, from_document(row.document)) for row in rows]
    )


def version_at(session: Session, hotline_key: str, at: datetime) -> Version | None:
    """The one version of a line in force at `at` (the later number on a tie), read alone."""
    row = session.execute(
        select(RotaVersion.number, RotaVersion.saved_at, RotaVersion.document)
        .join(Hotline, Hotline.id == RotaVersion.hotline_id)
        .where(Hotline.key == hotline_key, RotaVersion.saved_at <= at)
        .order_by(RotaVersion.saved_at.desc(), RotaVersion.number.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return Version(row.number, row.saved_at, from_document(row.document, around=at))


def newest_version_id(session: Session) -> int:
    """A number that grows with every version saved anywhere: the per-process cache's watermark."""
    return int(session.scalar(select(func.coalesce(func.max(RotaVersion.id), 0))) or 0)


def versions_from(session: Session, line_id: int, start: datetime) -> RotaHistory:
    """The line's versions in force at or after `start`: the one in force then and every later
    one. Older versions cannot answer for the window, and a line keeps all of its versions."""
    mine = select(RotaVersion).where(RotaVersion.hotline_id == line_id)
    then = session.scalars(
        mine.where(RotaVersion.saved_at <= start)
        .order_by(RotaVersion.saved_at.desc(), RotaVersion.number.desc())
        .limit(1)
    ).all()
    later = session.scalars(mine.where(RotaVersion.saved_at > start)).all()
    return RotaHistory(
        [Version(row.number, row.saved_at, from_document(row.document)) for row in [*then, *later]]
    )


def versions_from_each(session: Session, starts: dict[int, datetime]) -> dict[int, RotaHistory]:
    """`versions_from` for many lines in one query: each line's versions in force at or after
    the earliest of `starts` (a few more than its own start needs, which change no answer)."""
    if not starts:
        return {}
    first = min(starts.values())
    ids = list(starts)
    in_force = (
        select(RotaVersion.id)
        .where(RotaVersion.hotline_id == Hotline.id, RotaVersion.saved_at <= first)
        .order_by(RotaVersion.saved_at.desc(), RotaVersion.number.desc())
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            RotaVersion.hotline_id, RotaVersion.number, RotaVersion.saved_at, RotaVersion.document
        )
        .where(RotaVersion.hotline_id.in_(ids))
        .where(
            (RotaVersion.saved_at > first)
            | RotaVersion.id.in_(select(in_force).where(Hotline.id.in_(ids)))
        )
    ).all()
    found: dict[int, list[Version]] = {line: [] for line in ids}
    for row in rows:
        found[row.hotline_id].append(Version(row.number, row.saved_at, from_document(row.document)))
    return {line: RotaHistory(versions) for line, versions in found.items()}
