"""Follow-up care on the statistics page and in `hotline stats`: counseling appointments and
referrals made for a question's lines over its days (each line's own zone), counted by
`hotline.care.reports` (a booking by when it was made, a referral by when it was proposed).

Counts only: the call log lists calls, not bookings or referrals, so none of these has a
drill-down link. The question's lines are already the asker's (`statistics_question.ask`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.care.reports import ReferralCount, appointment_counts, referral_counts
from hotline.care.vocabulary import REFERRAL_STATES, URGENCIES
from hotline.models import Hotline, Partner
from hotline.records.calllog import local_window
from hotline.records.statistics_question import Question

APPOINTMENTS = ("booked", "attended", "missed", "cancelled", "open")
REFERRALS_BY = ("partner", "urgency", "result")


@dataclass(frozen=True, slots=True)
class FollowUp:
    """`appointments`: booked (every booking made), and of them attended, missed, cancelled
    and open; `referrals`: (partner key, urgency, result) counts."""

    appointments: dict[str, int]
    referrals: tuple[ReferralCount, ...]
    partners: tuple[str, ...]  # every partner's key, in the partners' order

    @property
    def referral_total(self) -> int:
        return sum(r.count for r in self.referrals)

    def referrals_by(self, name: str) -> list[tuple[str, int]]:
        """Referrals by `partner`, `urgency` or `result`: each value in its vocabulary's order
        (partners with none left out)."""
        found: Counter[str] = Counter()
        for r in self.referrals:
            found[{"partner": r.partner, "urgency": r.urgency, "result": r.result}[name]] += r.count
        if name == "partner":
            return [(key, found[key]) for key in self.partners if found[key]]
        words = URGENCIES if name == "urgency" else REFERRAL_STATES
        return [(word, found[word]) for word in words]

    def as_json(self) -> dict[str, Any]:
        return {
            "appointments": dict(self.appointments),
            "referrals": {
                "total": self.referral_total,
                **{name: dict(self.referrals_by(name)) for name in REFERRALS_BY},
            },
        }


def follow_up(session: Session, question: Question, now: datetime) -> FollowUp:
    """The question's lines, each over its own days (its zone; without dates, the last 30 days
    up to its today), summed."""
    lines = session.execute(
        select(Hotline.id, Hotline.timezone).where(Hotline.key.in_(question.lines))
    ).all()
    appointments: Counter[str] = Counter(dict.fromkeys(APPOINTMENTS, 0))
    referrals: Counter[tuple[str, str, str]] = Counter()
    for line_id, tz in lines:
        lower, upper = local_window(question.start, question.end, now, ZoneInfo(tz))
        appointments.update(appointment_counts(session, [line_id], lower, upper))
        for r in referral_counts(session, [line_id], lower, upper):
            referrals[(r.partner, r.urgency, r.result)] += r.count
    found = [ReferralCount(*key, n) for key, n in referrals.items()]
    partners = tuple(session.scalars(select(Partner.key).order_by(Partner.position, Partner.key)))
    return FollowUp(
        {name: appointments[name] for name in APPOINTMENTS},
        tuple(sorted(found, key=lambda c: (-c.count, c.partner, c.urgency, c.result))),
        partners,
    )
