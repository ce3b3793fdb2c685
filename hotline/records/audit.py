"""The audit log: one append-only entry per sign-in, record view or list, export, role change.

Entries carry keys and codes (call ids, usernames, filters), never caller data or free text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import AuditEntry

PAGE_SIZE = 100


def record(
    session: Session,
    at: datetime,
    action: str,
    *,
    actor: str | None,
    target: str | None = None,
    source: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. `source`: where from (an address, `cli`, a job name)."""
    entry = AuditEntry(
        at=at,
        actor=actor,
        action=action,
        target=target,
        source=(source or "")[:64] or None,
        detail=detail or {},
    )
    session.add(entry)
    return entry


@dataclass(frozen=True, slots=True)
class AuditFilters:
    """Who (a username, `job`, `cli`...), which action, and days in UTC (inclusive)."""

    actor: str | None = None
    action: str | None = None
    start: date | None = None
    end: date | None = None


@dataclass(frozen=True, slots=True)
class AuditPage:
    entries: list[AuditEntry]
    page: int
    has_next: bool


def audit_page(
    session: Session, filters: AuditFilters, page: int = 1, size: int = PAGE_SIZE
) -> AuditPage:
    """One page of the entries that match, newest first."""
    query = select(AuditEntry)
    if filters.actor:
        query = query.where(AuditEntry.actor == filters.actor)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.start:
        query = query.where(AuditEntry.at >= datetime.combine(filters.start, time(), UTC))
    if filters.end:
        day_after = datetime.combine(filters.end + timedelta(days=1), time(), UTC)
        query = query.where(AuditEntry.at < day_after)
    newest_first = query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    found = list(session.scalars(newest_first.offset((page - 1) * size).limit(size + 1)))
    return AuditPage(found[:size], page, len(found) > size)


def audit_actions(session: Session) -> list[str]:
    """Every action the log holds, for the filter's choices."""
    return list(session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
