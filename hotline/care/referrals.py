"""Referrals to partners, followed to the end: proposed -> sent -> accepted -> attended, or
declined / lost to follow-up. Each change is kept as a step (who, when) and audited; a change
that does not follow the arrows is refused, so two people moving one referral at once cannot
take it backwards (the second sees the first's state and is told).

A referral is due to be accepted by the partner within its urgency: `today` by the end of the
local day it was made, `72h` within 72 hours, `routine` within 14 days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hotline.care.booking import call_line
from hotline.care.vocabulary import CLOSED, DUE_WITHIN, NEXT_STATES, REASONS, URGENCIES
from hotline.models import Call, Hotline, Partner, Referral, ReferralStep
from hotline.records import audit
from rota.localtime import to_instant


class BadReferral(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class ReferralInput:
    partner: str
    urgency: str
    reasons: tuple[str, ...]
    consent: bool


def due_at(urgency: str, made: datetime, zone: str) -> datetime:
    if urgency == "today":
        tz = ZoneInfo(zone)
        next_day = made.astimezone(tz).date() + timedelta(days=1)
        return to_instant(datetime.combine(next_day, datetime.min.time()), tz)
    return made + DUE_WITHIN[urgency]


def propose(
    session: Session, call: Call, data: ReferralInput, now: datetime, *, actor: str
) -> Referral:
    """A new referral from the call, in state `proposed` (its first step)."""
    if data.urgency not in URGENCIES or not set(data.reasons) <= set(REASONS):
        raise BadReferral("unknown-value", "not a known urgency or reason")
    if not data.reasons:
        raise BadReferral("no-reason", "choose at least one reason")
    if not data.consent:
        raise BadReferral("no-consent", "a referral is made only with the caller's consent")
    partner_id = session.scalar(select(Partner.id).where(Partner.key == data.partner))
    if partner_id is None:
        raise BadReferral("unknown-partner", "not a known partner")
    line = session.get(Hotline, call_line(call) or 0)
    if line is None:
        raise BadReferral("no-line", "the call belongs to no line")
    referral = Referral(
        hotline_id=line.id,
        call_id=call.id,
        partner_id=partner_id,
        urgency=data.urgency,
        reasons=[reason for reason in REASONS if reason in data.reasons],
        consent=True,
        state="proposed",
        created_at=now,
        created_by=actor,
        due_at=due_at(data.urgency, now, line.timezone),
        updated_at=now,
    )
    session.add(referral)
    session.flush()
    session.add(ReferralStep(referral_id=referral.id, state="proposed", at=now, by=actor))
    return referral


def move(
    session: Session, referral: Referral, to: str, now: datetime, *, actor: str, source: str | None
) -> None:
    """One step along the arrows, audited. The UPDATE is conditional on the state read, so a
    concurrent move of the same referral makes this one fail instead of overwriting it."""
    was = referral.state
    if to not in NEXT_STATES.get(was, ()):
        raise BadReferral("not-allowed", f"a referral that is {was} cannot become {to}")
    moved = session.execute(
        update(Referral)
        .where(Referral.id == referral.id, Referral.state == was)
        .values(state=to, updated_at=now, closed_at=now if to in CLOSED else None)
        .execution_options(synchronize_session=False)
    )
    if getattr(moved, "rowcount", 0) != 1:
        raise BadReferral("changed", "someone else changed this referral meanwhile")
    session.refresh(referral)
    session.add(ReferralStep(referral_id=referral.id, state=to, at=now, by=actor))
    audit.record(
        session,
        now,
        "referral.move",
        actor=actor,
        target=str(referral.id),
        source=source,
        detail={"from": was, "to": to},
    )


def steps_of(session: Session, referral_ids: list[int]) -> dict[int, list[ReferralStep]]:
    found: dict[int, list[ReferralStep]] = {}
    if not referral_ids:
        return found
    rows = session.scalars(
        select(ReferralStep)
        .where(ReferralStep.referral_id.in_(referral_ids))
        .order_by(ReferralStep.at, ReferralStep.id)
    )
    for step in rows:
        found.setdefault(step.referral_id, []).append(step)
    return found
