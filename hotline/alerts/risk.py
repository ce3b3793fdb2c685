"""Raising, cancelling and acknowledging a call's high-risk alert.

One alert per call. Saving the outcome again queues nothing twice (messages are keyed by the
alert, the time it was raised and the level). Lowering the risk below high cancels the alert
and its unsent messages; raising it again reopens it as a new alert from level 0.
Acknowledging is idempotent and cancels what was not sent yet: nobody needs it any more.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from hotline.models import Call, Hotline, OutboxMessage, RiskAlert
from hotline.outbound.outbox import Recipient, line_users, queue_text, user_recipient
from hotline.records.scope import Viewer

SUPERVISORS = ("supervisor",)


@dataclass(frozen=True, slots=True)
class Raised:
    alert: RiskAlert
    queued: int


def alert_lines(call: Call) -> list[int]:
    """The lines whose people are told: the line called, and the line that answered."""
    return [i for i in dict.fromkeys((call.hotline_id, call.answered_line_id)) if i is not None]


def occasion(alert: RiskAlert, level: int) -> str:
    return f"risk-alert:{alert.id}:{int(alert.raised_at.timestamp())}:L{level}"


def raise_alert(session: Session, call: Call, risk: str, now: datetime, public_url: str) -> Raised:
    """Open (or reopen) the call's alert and queue level 0: the line's supervisors."""
    alert = session.scalar(select(RiskAlert).where(RiskAlert.call_id == call.id))
    if alert is not None and alert.cancelled_at is None:
        alert.risk = risk
        return Raised(alert, 0)
    if alert is None:
        alert = RiskAlert(call_id=call.id, hotline_id=call.hotline_id)
        session.add(alert)
    alert.risk, alert.level, alert.raised_at, alert.escalated_at = risk, 0, now, now
    alert.cancelled_at = alert.acknowledged_at = alert.acknowledged_by_id = None
    session.flush()
    supervisors = [user_recipient(u) for u in line_users(session, SUPERVISORS, alert_lines(call))]
    return Raised(alert, queue_supervisors(session, alert, call, supervisors, now, public_url))


def queue_supervisors(
    session: Session,
    alert: RiskAlert,
    call: Call,
    recipients: list[Recipient],
    now: datetime,
    public_url: str,
) -> int:
    line = session.get(Hotline, call.hotline_id) if call.hotline_id else None
    local = call.arrived_at.astimezone(ZoneInfo(line.timezone if line else "UTC"))
    return queue_text(
        session,
        occasion(alert, alert.level),
        recipients,
        "risk-alert",
        now,
        urgent=True,
        with_link=line.message_links if line else True,
        hotline_id=call.hotline_id,
        call_id=call.id,
        alert_id=alert.id,
        line=line.name if line else "-",
        call=call.id,
        arrived=f"{local:%m-%d %H:%M}",
        link=f"{public_url}/calls/{call.id}",
    )


def cancel_alert(session: Session, call_id: int, now: datetime) -> int:
    """The risk is below high now: close the alert; returns how many messages were unsent."""
    alert = session.scalar(
        select(RiskAlert).where(RiskAlert.call_id == call_id, RiskAlert.cancelled_at.is_(None))
    )
    if alert is None:
        return 0
    alert.cancelled_at = now
    return cancel_unsent(session, alert.id, now)


def cancel_unsent(session: Session, alert_id: int, now: datetime) -> int:
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.alert_id == alert_id, OutboxMessage.state == "pending")
        .values(state="cancelled", finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def visible_alert(session: Session, viewer: Viewer, alert_id: int) -> RiskAlert | None:
    """The alert when this viewer may see it: admins, and supervisors and operators of its
    lines (unscoped ones: every line). Counselors never."""
    if viewer.role not in ("admin", "supervisor", "operator"):
        return None
    query = select(RiskAlert).join(Call, Call.id == RiskAlert.call_id)
    query = query.where(RiskAlert.id == alert_id)
    if viewer.role != "admin" and viewer.line_ids is not None:
        lines = sorted(viewer.line_ids)
        query = query.where(or_(Call.hotline_id.in_(lines), Call.answered_line_id.in_(lines)))
    return session.scalar(query)


def acknowledge(
    session: Session, alert_id: int, user_id: int, viewer: Viewer, now: datetime
) -> RiskAlert | None:
    """One click: the alert is acknowledged (once; a second click changes nothing)."""
    alert = visible_alert(session, viewer, alert_id)
    if alert is None or alert.acknowledged_at is not None or alert.cancelled_at is not None:
        return alert
    alert.acknowledged_at, alert.acknowledged_by_id = now, user_id
    cancel_unsent(session, alert.id, now)
    return alert
