"""`referrals-overdue`: an urgent referral (today, 72 h) that the partner has not accepted by
its due time alerts the line's supervisors through the outbox, once (keyed by the referral),
so a repeated run or a second scheduler queues nothing twice."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.care.vocabulary import AWAITING, URGENT
from hotline.models import Hotline, Partner, Referral
from hotline.outbound.outbox import line_users, queue_text, user_recipient

# Older overdue referrals were told about when they fell due; the page keeps showing them.
LOOK_BACK = timedelta(days=30)
SUPERVISORS = ("supervisor",)


def alert_overdue(session: Session, now: datetime, public_url: str) -> dict[str, Any]:
    found = session.execute(
        select(Referral, Hotline, Partner.name)
        .join(Hotline, Hotline.id == Referral.hotline_id)
        .join(Partner, Partner.id == Referral.partner_id)
        .where(
            Referral.urgency.in_(sorted(URGENT)),
            Referral.state.in_(sorted(AWAITING)),
            Referral.due_at <= now,
            Referral.due_at > now - LOOK_BACK,
        )
        .order_by(Referral.due_at)
    ).all()
    queued = 0
    for referral, line, partner in found:
        people = [user_recipient(u) for u in line_users(session, SUPERVISORS, [line.id])]
        due = referral.due_at.astimezone(ZoneInfo(line.timezone)).strftime("%Y-%m-%d %H:%M")
        queued += queue_text(
            session,
            f"referral-overdue:{referral.id}",
            people,
            "referral-overdue",
            now,
            urgent=True,
            with_link=line.message_links,
            hotline_id=line.id,
            line=line.name,
            referral=referral.id,
            urgency=referral.urgency,
            partner=partner,
            due=due,
            state=referral.state,
            link=f"{public_url}/referrals",
        )
    return {"overdue": len(found), "queued": queued}
