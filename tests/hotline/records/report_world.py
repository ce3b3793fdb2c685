"""A year of calls on the two test lines, many months with small counts, for the reports."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from hotline.care.vocabulary import BOOKING_STATES, REFERRAL_STATES, URGENCIES
from hotline.models import (
    Booking,
    Call,
    CallOutcome,
    CareSession,
    Counselor,
    Hotline,
    Partner,
    Referral,
)
from hotline.records.vocabulary import ACTIONS, AGE_BANDS, CALL_TYPES, RISKS, TOPICS
from tests.conftest import RecordsWorld

YEAR = 2026
NOW = datetime(2026, 12, 20, tzinfo=UTC)
RESULTS = ("answered", "answered", "answered", "fallback", "missed", "abandoned")


def a_year_of_calls(world: RecordsWorld, seed: int = 13) -> int:
    """Calls from January to mid-December, a month's count on a line drawn from small and large
    ones (zero too); outcomes on most taken calls. Returns how many calls were made."""
    rng = random.Random(seed)
    made = 0
    with world.database.write() as writing:
        lines = dict(writing.execute(select(Hotline.key, Hotline.id)).all())
        people = list(writing.scalars(select(Counselor.id).order_by(Counselor.id)))
        for line_id in lines.values():
            for month in range(1, 13):
                for _ in range(rng.choice([0, 1, 3, 6, 14, 30])):
                    made += 1
                    call, outcome = _call(rng, made, line_id, month, people)
                    writing.add(call)
                    if outcome is not None:
                        writing.flush()
                        outcome.call_id = call.id
                        writing.add(outcome)
    return made


def _call(
    rng: random.Random, n: int, line_id: int, month: int, people: list[int]
) -> tuple[Call, CallOutcome | None]:
    day = rng.randrange(2, 20)  # never near a month's edge: local months are each line's own
    arrived = datetime(YEAR, month, day, rng.randrange(24), tzinfo=UTC)
    result = rng.choice(RESULTS)
    taken = result == "answered"
    call = Call(
        call_sid=f"CAY{n:031d}",
        hotline_id=line_id,
        caller=f"v2:Y{rng.randrange(40)}",
        arrived_at=arrived,
        answered_at=arrived + timedelta(seconds=rng.randrange(3, 50)) if taken else None,
        ended_at=arrived + timedelta(minutes=10),
        status="completed",
        duration_seconds=600,
        result=result,
        answered_by_id=rng.choice(people) if taken else None,
        answered_line_id=line_id if taken else None,
        rota_version=1,
        plan=[],
    )
    if not (taken and rng.random() < 0.8):
        return call, None
    return call, CallOutcome(
        counselor_id=call.answered_by_id,
        call_type=rng.choice(CALL_TYPES[:3]),
        topics=rng.sample(TOPICS, rng.randrange(3)),
        risk=rng.choice(RISKS),
        actions=rng.sample(ACTIONS, rng.randrange(2)),
        caller_type=rng.choice(["student", "parent", None]),
        age_band=rng.choice([*AGE_BANDS[1:4], None]),
        recorded_at=arrived,
        updated_at=arrived,
    )


def a_year_of_care(world: RecordsWorld, seed: int = 16) -> None:
    """Bookings and referrals made over the same year, a line's month drawn from small and large
    counts (zero too), with every state and urgency, and a second partner hospital."""
    rng = random.Random(seed)
    with world.database.write() as writing:
        writing.add(Partner(key="east-hospital", name="东区医院", position=99))
        writing.flush()
        partners = list(writing.scalars(select(Partner.id).order_by(Partner.position)))
        made = 0
        for line_id in writing.scalars(select(Hotline.id).order_by(Hotline.id)):
            place = CareSession(
                hotline_id=line_id,
                place="3号楼 204 室",
                provider="王丽",
                start=datetime(YEAR, 12, 31, 6, tzinfo=UTC),
                minutes=50,
                capacity=5000,
                created_at=datetime(YEAR, 1, 1, tzinfo=UTC),
            )
            writing.add(place)
            writing.flush()
            for month in range(1, 13):
                for _ in range(rng.choice([0, 1, 3, 6, 14, 30])):
                    made += 1
                    writing.add(
                        Booking(
                            code=f"Y{made:07d}",
                            session_id=place.id,
                            hotline_id=line_id,
                            booked_at=_when(rng, month),
                            state=rng.choice(BOOKING_STATES),
                        )
                    )
                for _ in range(rng.choice([0, 1, 2, 5, 12, 25])):
                    at = _when(rng, month)
                    writing.add(
                        Referral(
                            hotline_id=line_id,
                            partner_id=rng.choice(partners),
                            urgency=rng.choice(URGENCIES),
                            reasons=["other"],
                            consent=True,
                            state=rng.choice(REFERRAL_STATES),
                            created_at=at,
                            due_at=at + timedelta(days=14),
                            updated_at=at,
                        )
                    )


def _when(rng: random.Random, month: int) -> datetime:
    return datetime(YEAR, month, rng.randrange(2, 20), rng.randrange(24), tzinfo=UTC)
