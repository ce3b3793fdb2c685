"""Bookings and referrals around 1-10 December 2026 on both test lines, some just inside and
some just outside each line's own days (Shanghai is UTC+8, London UTC+0 in December)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from hotline.models import Booking, CareSession, Hotline, Partner, Referral
from tests.conftest import RecordsWorld

# Per line: booking states made inside the days, then those made just outside them.
BOOKED = {
    "city": (["attended", "attended", "missed", "cancelled", "booked"], ["attended"]),
    "school": (["missed", "booked"], ["missed"]),
}
# Per line: (urgency, state) of referrals inside the days, then outside.
REFERRED = {
    "city": ([("today", "attended"), ("72h", "declined"), ("72h", "sent")], [("routine", "lost")]),
    "school": ([("routine", "proposed")], [("today", "accepted")]),
}
# Just inside and just outside 1-10 December, on each line's clock.
INSIDE = {
    "city": datetime(2026, 11, 30, 16, 30, tzinfo=UTC),  # 1 Dec 00:30 in Shanghai
    "school": datetime(2026, 12, 10, 23, 30, tzinfo=UTC),  # 10 Dec 23:30 in London
}
OUTSIDE = {
    "city": datetime(2026, 12, 10, 16, 30, tzinfo=UTC),  # 11 Dec 00:30 in Shanghai
    "school": datetime(2026, 11, 30, 23, 30, tzinfo=UTC),  # 30 Nov in London
}


def some_follow_up(world: RecordsWorld) -> None:
    with world.database.write() as writing:
        partner = writing.scalar(select(Partner.id).where(Partner.key == "kangning"))
        assert partner is not None
        made = 0
        for line, line_id in writing.execute(select(Hotline.key, Hotline.id)).all():
            place = CareSession(
                hotline_id=line_id,
                place="3号楼 204 室",
                provider="王丽",
                start=datetime(2026, 12, 20, 6, tzinfo=UTC),
                minutes=50,
                capacity=50,
                created_at=datetime(2026, 11, 1, tzinfo=UTC),
            )
            writing.add(place)
            writing.flush()
            inside, outside = BOOKED[line]
            for at, states in ((INSIDE[line], inside), (OUTSIDE[line], outside)):
                for state in states:
                    made += 1
                    writing.add(
                        Booking(
                            code=f"F{made:05d}",
                            session_id=place.id,
                            hotline_id=line_id,
                            booked_at=at,
                            state=state,
                        )
                    )
            inside_r, outside_r = REFERRED[line]
            for at, referrals in ((INSIDE[line], inside_r), (OUTSIDE[line], outside_r)):
                for urgency, state in referrals:
                    writing.add(
                        Referral(
                            hotline_id=line_id,
                            partner_id=partner,
                            urgency=urgency,
                            reasons=["other"],
                            consent=True,
                            state=state,
                            created_at=at,
                            due_at=at + timedelta(days=3),
                            updated_at=at,
                        )
                    )
