"""`outcome-reminders`: a taken call still without an outcome reminds its counselor after 2 hours
and tells the line's supervisors after 24, once each (keyed by the call).

Hours count from the end of the call (its arrival when the end is unknown). Only calls of the
last 7 days are looked at: older ones were told already, or are history by now.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.alerts.risk import alert_lines
from hotline.jobs.env import JobEnv
from hotline.models import Call, CallOutcome, Counselor, Hotline, User
from hotline.outbound.outbox import Recipient, line_users, queue_text, user_recipient

REMIND_AFTER = timedelta(hours=2)
OVERDUE_AFTER = timedelta(hours=24)
LOOK_BACK = timedelta(days=7)
SUPERVISORS = ("supervisor",)


def outcome_reminders(env: JobEnv, now: datetime) -> dict[str, Any]:
    reminded = overdue = 0
    with env.database.write() as db:
        for call, line, counselor in _waiting(db, now):
            ended = call.ended_at or call.arrived_at
            if ended + REMIND_AFTER <= now and counselor.active:
                reminded += _remind(db, call, line, counselor, now, env.settings.public_url)
            if ended + OVERDUE_AFTER <= now:
                overdue += _tell_supervisors(db, call, line, now, env.settings.public_url)
    return {"reminded": reminded, "overdue": overdue}


def _waiting(session: Session, now: datetime) -> list[Any]:
    """Taken calls of the last 7 days without an outcome, at least 2 hours after arrival."""
    return list(
        session.execute(
            select(Call, Hotline, Counselor)
            .join(Counselor, Counselor.id == Call.answered_by_id)
            .outerjoin(Hotline, Hotline.id == Call.hotline_id)
            .outerjoin(CallOutcome, CallOutcome.call_id == Call.id)
            .where(
                CallOutcome.id.is_(None),
                Call.arrived_at >= now - LOOK_BACK,
                Call.arrived_at <= now - REMIND_AFTER,
            )
            .order_by(Call.arrived_at, Call.id)
        ).all()
    )


def counselor_recipient(session: Session, counselor: Counselor, line: Hotline | None) -> Recipient:
    """SMS to the counselor's phone; e-mail and language of their account when they have one,
    else the line's language."""
    account = session.scalars(
        select(User)
        .where(User.counselor_id == counselor.id, User.active.is_(True))
        .order_by(User.id)
        .limit(1)
    ).first()
    language = (account.language if account else None) or (line.language if line else None)
    return Recipient(
        f"counselor-{counselor.id}",
        language,
        counselor.phone,
        account.email if account else None,
        user_id=account.id if account else None,
        counselor_id=counselor.id,
    )


def _remind(
    session: Session,
    call: Call,
    line: Hotline | None,
    counselor: Counselor,
    now: datetime,
    public_url: str,
) -> int:
    recipient = counselor_recipient(session, counselor, line)
    link = f"{public_url}/calls/{call.id}/outcome"
    return _queue(session, "outcome-reminder", [recipient], call, line, now, link)


def _tell_supervisors(
    session: Session, call: Call, line: Hotline | None, now: datetime, public_url: str
) -> int:
    # The supervisors of the line called and of the line that answered, as for risk alerts;
    # in the line's language for those who chose none.
    fallback = line.language if line else None
    people = [
        replace(user_recipient(user), language=user.language or fallback)
        for user in line_users(session, SUPERVISORS, alert_lines(call))
    ]
    link = f"{public_url}/calls/{call.id}"
    return _queue(session, "outcome-overdue", people, call, line, now, link)


def _queue(
    session: Session,
    template: str,
    recipients: list[Recipient],
    call: Call,
    line: Hotline | None,
    now: datetime,
    link: str,
) -> int:
    arrived = call.arrived_at.astimezone(ZoneInfo(line.timezone if line else "UTC"))
    return queue_text(
        session,
        f"{template}:{call.id}",
        recipients,
        template,
        now,
        urgent=False,
        with_link=line.message_links if line else True,
        hotline_id=call.hotline_id,
        call_id=call.id,
        line=line.name if line else "-",
        call=call.id,
        arrived=f"{arrived:%m-%d %H:%M}",
        link=link,
    )
