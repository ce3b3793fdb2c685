"""The audit log: one append-only entry per sign-in, record view or list, export, role change.

Entries carry keys and codes (call ids, usernames, filters), never caller data or free text.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import AuditEntry


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


def recent_entries(session: Session, limit: int = 200) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)))
