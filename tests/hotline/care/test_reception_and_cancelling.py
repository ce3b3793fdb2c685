"""Reception marks a booking by its code alone, with a clear reason for any code it refuses;
a cancelled session cancels its bookings and tells each of their counselors once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from hotline.care.cancellation import cancel_session
from hotline.care.reception import BadMark, Marked, mark_booking
from hotline.models import Booking, CareSession, Hotline, OutboxMessage
from hotline.records.scope import Viewer
from tests.hotline.care.conftest import CANARY, NOW, Care

DESK = Viewer("desk", "operator")
SESSION_AT = NOW + timedelta(days=2, hours=4)  # 2027-03-03T14:00 Shanghai


def mark(care: Care, code: str, what: str, at: Any, who: Viewer = DESK) -> Marked:
    with care.database.write() as db:
        return mark_booking(db, who, code, what, at)


def test_reception_marks_a_booking_attended_by_its_code_typed_any_way(care: Care) -> None:
    code = care.book(care.call(), care.session()).booking.code
    marked = mark(care, f" {code[:3].lower()}-{code[3:]} ", "attended", SESSION_AT)
    assert (marked.code, marked.mark) == (code, "attended")
    with care.database.read() as db:
        booking = db.scalar(select(Booking))
        assert booking is not None
        assert (booking.state, booking.marked_by) == ("attended", "desk")


@pytest.mark.parametrize(
    ("typed", "what", "at", "reason"),
    [
        ("K7", "attended", SESSION_AT, "not-a-code"),
        ("ZZZZZZ", "attended", SESSION_AT, "unknown-code"),
        (None, "attended", NOW, "not-yet"),
        (None, "missed", SESSION_AT - timedelta(hours=1), "missed-too-early"),
        (None, "attended", SESSION_AT + timedelta(days=2), "expired"),
        (None, "slept", SESSION_AT, "unknown-mark"),
    ],
    ids=["too-short", "unknown", "another-day", "missed-before-start", "expired", "bad-mark"],
)
def test_a_code_reception_cannot_take_is_refused_with_its_reason_and_nothing_changes(
    care: Care, typed: str | None, what: str, at: Any, reason: str
) -> None:
    code = care.book(care.call(), care.session()).booking.code
    with pytest.raises(BadMark) as refused:
        mark(care, typed or code, what, at)
    assert refused.value.code == reason
    with care.database.read() as db:
        assert db.scalar(select(Booking.state)) == "booked"


def test_a_booking_is_marked_once(care: Care) -> None:
    code = care.book(care.call(), care.session()).booking.code
    mark(care, code, "missed", SESSION_AT + timedelta(hours=1))
    with pytest.raises(BadMark) as refused:
        mark(care, code, "attended", SESSION_AT + timedelta(hours=1))
    assert refused.value.code == "already-missed"


def test_a_desk_of_another_line_does_not_find_the_code(care: Care) -> None:
    code = care.book(care.call(), care.session()).booking.code
    with care.database.read() as db:
        school = db.scalar(select(Hotline.id).where(Hotline.key == "school"))
    other_desk = Viewer("desk2", "operator", line_ids=frozenset({int(school or 0)}))
    with pytest.raises(BadMark) as refused:
        mark(care, code, "attended", SESSION_AT, other_desk)
    assert refused.value.code == "unknown-code"


def test_cancelling_a_session_cancels_its_bookings_and_tells_each_counselor_once(
    care: Care, world: Any
) -> None:
    world.user("wang", "counselor", counselor="wang-li", email="wang@example.org")
    session_id = care.session(capacity=3)
    first = care.book(care.call("wang-li"), session_id, CANARY, consent=True).booking.code
    second = care.book(care.call("wang-li"), session_id).booking.code
    third = care.book(care.call("li-na"), session_id).booking.code
    done = []
    for _ in range(2):  # a second click cancels nothing more and tells nobody again
        with care.database.write() as db:
            done.append(cancel_session(db, DESK, session_id, NOW, "https://h.example.org"))
    assert [(d.bookings, d.queued) for d in done if d] == [(3, 3), (0, 0)]
    cancelled = OutboxMessage.kind == "care-session-cancelled"
    with care.database.read() as db:
        told = db.execute(select(OutboxMessage.channel, OutboxMessage.body).where(cancelled))
        told_bodies = sorted((channel, body) for channel, body in told)
        held = db.get(CareSession, session_id)
        assert held is not None
        assert held.booked == 0
        assert held.cancelled_at == NOW
        assert set(db.scalars(select(Booking.state))) == {"cancelled"}
    # wang-li by e-mail and SMS (both bookings' codes), li-na by SMS (her one booking's).
    assert [channel for channel, _ in told_bodies] == ["email", "sms", "sms"]
    wang = told_bodies[0][1]
    assert first[:3] in wang
    assert second[:3] in wang
    assert third[:3] not in wang
    [reminder] = care.reminders()
    assert reminder.state == "cancelled"
    assert reminder.address is None
