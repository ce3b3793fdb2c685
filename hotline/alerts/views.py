"""What the alerts page and a call's page show of alerts: who was told when, who acknowledged.

Operators see no clinical detail (no risk level); the page links them to nothing clinical.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, false, or_, select, true
from sqlalchemy.orm import Session

from hotline.models import Call, Counselor, Hotline, OutboxMessage, RiskAlert, User
from hotline.records.scope import Viewer

RECENT = timedelta(days=7)
_LINE_ROLES = ("supervisor", "operator")
_LEVEL = re.compile(r":L([0-9]+):")


@dataclass(frozen=True, slots=True)
class Notice:
    recipient: str
    channel: str
    state: str
    created_at: datetime
    sent_at: datetime | None
    level: int


@dataclass(frozen=True, slots=True)
class AlertView:
    id: int
    call_id: int
    line: str | None
    line_name: str | None
    timezone: str
    risk: str | None  # None for operators: no clinical detail
    raised_at: datetime
    level: int
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    cancelled_at: datetime | None
    notices: tuple[Notice, ...]

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None and self.cancelled_at is None


def _visible(viewer: Viewer) -> ColumnElement[bool]:
    """Admins see every alert; supervisors and operators their lines' (unscoped: all)."""
    if viewer.role == "admin" or (viewer.role in _LINE_ROLES and viewer.line_ids is None):
        return true()
    if viewer.role in _LINE_ROLES:
        lines = sorted(viewer.line_ids or ())
        return or_(Call.hotline_id.in_(lines), Call.answered_line_id.in_(lines))
    return false()


def open_alerts(
    session: Session, viewer: Viewer, now: datetime, *, include_recent: bool = True
) -> list[AlertView]:
    """Open alerts first (newest first), then those closed in the last seven days."""
    closed_recently = or_(
        RiskAlert.acknowledged_at >= now - RECENT, RiskAlert.cancelled_at >= now - RECENT
    )
    still_open = and_(RiskAlert.acknowledged_at.is_(None), RiskAlert.cancelled_at.is_(None))
    wanted = or_(still_open, closed_recently) if include_recent else still_open
    views = _views(session, viewer, wanted)
    return sorted(views, key=lambda a: (not a.is_open, -a.raised_at.timestamp()))


def alert_for_call(session: Session, viewer: Viewer, call_id: int) -> AlertView | None:
    found = _views(session, viewer, RiskAlert.call_id == call_id)
    return found[0] if found else None


def _views(session: Session, viewer: Viewer, condition: ColumnElement[bool]) -> list[AlertView]:
    rows = session.execute(
        select(RiskAlert, Hotline.key, Hotline.name, Hotline.timezone, User.username)
        .join(Call, Call.id == RiskAlert.call_id)
        .outerjoin(Hotline, Hotline.id == RiskAlert.hotline_id)
        .outerjoin(User, User.id == RiskAlert.acknowledged_by_id)
        .where(condition, _visible(viewer))
        .order_by(RiskAlert.raised_at.desc())
        .limit(500)
    ).all()
    notices = _notices(session, [alert.id for alert, *_ in rows])
    clinical = viewer.role != "operator"
    return [
        AlertView(
            alert.id,
            alert.call_id,
            key,
            name,
            timezone or "UTC",
            alert.risk if clinical else None,
            alert.raised_at,
            alert.level,
            alert.acknowledged_at,
            username,
            alert.cancelled_at,
            tuple(notices.get(alert.id, ())),
        )
        for alert, key, name, timezone, username in rows
    ]


def _notices(session: Session, alert_ids: list[int]) -> dict[int, list[Notice]]:
    if not alert_ids:
        return {}
    rows = session.execute(
        select(OutboxMessage, User.username, Counselor.name)
        .outerjoin(User, User.id == OutboxMessage.recipient_user_id)
        .outerjoin(Counselor, Counselor.id == OutboxMessage.recipient_counselor_id)
        .where(OutboxMessage.alert_id.in_(alert_ids))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)
    ).all()
    found: dict[int, list[Notice]] = {}
    for message, username, counselor in rows:
        level = _LEVEL.search(message.key)  # risk-alert:ALERT:RAISED:L<level>:RECIPIENT:CHANNEL
        found.setdefault(message.alert_id or 0, []).append(
            Notice(
                username or counselor or "-",
                message.channel,
                message.state,
                message.created_at,
                message.sent_at,
                int(level.group(1)) if level else 0,
            )
        )
    return found
