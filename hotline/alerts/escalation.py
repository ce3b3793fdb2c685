"""`risk-escalation`: an alert nobody acknowledged within the line's escalation minutes (default
10) reaches more people, one level per interval:

level 1: every supervisor and operator of the line;
level 2: they again, and the psychiatrist on duty where the rota has one;
level 3: everyone of level 2 once more (the last message; the alerts page keeps showing it).

Each level's messages are keyed by the level, so a run repeated at the same `now` (or by a
second scheduler) queues nothing twice; levels move one step per run, never skipping one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.alerts.risk import SUPERVISORS, alert_lines, occasion, queue_supervisors
from hotline.duty import duty_at
from hotline.models import Call, Counselor, Hotline, RiskAlert
from hotline.outbound.outbox import Recipient, line_users, queue_text, user_recipient

LAST_LEVEL = 3
DEFAULT_MINUTES = 10
PSYCHIATRIST = "psychiatrist"


def escalate_due(session: Session, now: datetime, public_url: str) -> dict[str, Any]:
    """Move every overdue open alert up one level; returns what it did (counts only)."""
    found = session.execute(
        select(RiskAlert, Call, Hotline)
        .join(Call, Call.id == RiskAlert.call_id)
        .outerjoin(Hotline, Hotline.id == RiskAlert.hotline_id)
        .where(
            RiskAlert.acknowledged_at.is_(None),
            RiskAlert.cancelled_at.is_(None),
            RiskAlert.level < LAST_LEVEL,
        )
        .order_by(RiskAlert.id)
    ).all()
    escalated = queued = 0
    for alert, call, line in found:
        minutes = line.alert_escalation_minutes if line else DEFAULT_MINUTES
        if alert.escalated_at + timedelta(minutes=minutes) > now:
            continue
        alert.level += 1
        alert.escalated_at = now
        escalated += 1
        queued += _tell_level(session, alert, call, line, now, public_url)
    return {"escalated": escalated, "queued": queued}


def _tell_level(
    session: Session,
    alert: RiskAlert,
    call: Call,
    line: Hotline | None,
    now: datetime,
    public_url: str,
) -> int:
    lines = alert_lines(call)
    supervisors = [user_recipient(u) for u in line_users(session, SUPERVISORS, lines)]
    operators = [user_recipient(u) for u in line_users(session, ("operator",), lines)]
    queued = queue_supervisors(session, alert, call, supervisors, now, public_url)
    doctors = psychiatrists_on_duty(session, line, now) if alert.level >= 2 and line else []
    for template, people in (
        ("risk-alert-operator", operators),
        ("risk-alert-psychiatrist", doctors),
    ):
        queued += queue_text(
            session,
            occasion(alert, alert.level),
            people,
            template,
            now,
            urgent=True,
            with_link=line.message_links if line else True,
            hotline_id=alert.hotline_id,
            call_id=call.id,
            alert_id=alert.id,
            line=line.name if line else "-",
            alert=alert.id,
            level=alert.level,
            minutes=int((now - alert.raised_at).total_seconds() // 60),
            link=f"{public_url}/alerts",
        )
    return queued


def psychiatrists_on_duty(session: Session, line: Hotline, now: datetime) -> list[Recipient]:
    """Counselors of the line's rota on duty now (any tier) whose qualifications say so."""
    keys = {person.key for tier in duty_at(session, line.key, now).tiers for person in tier}
    if not keys:
        return []
    counselors = session.scalars(
        select(Counselor).where(Counselor.key.in_(sorted(keys)), Counselor.active.is_(True))
    )
    return [
        Recipient(f"counselor-{c.id}", line.language, c.phone, None, counselor_id=c.id)
        for c in counselors
        if PSYCHIATRIST in (c.qualifications or [])
    ]
