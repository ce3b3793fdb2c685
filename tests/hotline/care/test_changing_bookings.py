"""Cancelling and moving a booking: the place is given back, a move takes the new place first
(a refusal changes nothing), the code stays, and the sealed reminder follows or is erased."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from hotline.care.booking import (
    BadBooking,
    cancel_booking,
    changeable_booking,
    move_booking,
)
from hotline.care.reminders import reminder_due
from hotline.models import Booking, CareSession, OutboxMessage
from hotline.outbound.sealed import open_address
from tests.hotline.care.conftest import CANARY, NOW, Care


def places(care: Care, *session_ids: int) -> list[int]:
    with care.database.read() as db:
        return [
            db.scalar(select(CareSession.booked).where(CareSession.id == i)) or 0
            for i in session_ids
        ]


def booking_row(care: Care) -> Booking:
    with care.database.read() as db:
        booking = db.scalar(select(Booking).order_by(Booking.id.desc()).limit(1))  # the latest
        assert booking is not None
        db.expunge(booking)
    return booking


def cancel(care: Care, at: datetime = NOW) -> bool:
    with care.database.write() as db:
        booking = changeable_booking(db, booking_row(care).id, at)
        return cancel_booking(db, booking, at, actor="wang")


def move(care: Care, to: int, at: datetime = NOW) -> str:
    with care.database.write() as db:
        booking = changeable_booking(db, booking_row(care).id, at)
        return move_booking(db, booking, to, at, actor="wang").reminder


def test_cancelling_gives_the_place_back_and_erases_the_reminder_number(care: Care) -> None:
    held = care.session()
    care.book(care.call(), held, CANARY, consent=True)
    assert cancel(care) is True
    assert places(care, held) == [0]
    booking = booking_row(care)
    assert (booking.state, booking.marked_by, booking.reminder_key) == ("cancelled", "wang", None)
    [reminder] = care.reminders()
    assert (reminder.state, reminder.address) == ("cancelled", None)


def test_a_booking_is_cancelled_once_and_not_after_its_session_started(care: Care) -> None:
    held = care.session("2027-03-03T14:00")
    care.book(care.call(), held)
    with pytest.raises(BadBooking) as started:
        cancel(care, at=NOW + timedelta(days=3))
    assert started.value.code == "over"
    cancel(care)
    with pytest.raises(BadBooking) as again:
        cancel(care)
    assert again.value.code == "not-booked"
    assert places(care, held) == [0]


def test_moving_takes_the_new_place_gives_back_the_old_and_keeps_the_code(care: Care) -> None:
    old, new = care.session("2027-03-03T14:00"), care.session("2027-03-08T09:00")
    booked = care.book(care.call(), old, CANARY, consent=True)
    code = booked.booking.code
    [before] = care.reminders()
    assert move(care, new) == "moved"
    assert places(care, old, new) == [0, 1]
    booking = booking_row(care)
    assert (booking.code, booking.session_id, booking.state) == (code, new, "booked")
    [after] = care.reminders()
    assert after.key == before.key == booking.reminder_key
    assert after.state == "pending"
    assert after.due_at == reminder_due(
        datetime(2027, 3, 8, 1, 0, tzinfo=NOW.tzinfo), "Asia/Shanghai"
    )
    assert "2027-03-08 09:00" in after.body
    assert "2027-03-03" not in after.body
    with care.database.read() as db:
        message = db.get(OutboxMessage, after.id)
        assert message is not None
        assert (
            open_address(care.keys, message.id, message.address) == CANARY
        )  # still opens: same row


@pytest.mark.parametrize("why", ["full", "past", "cancelled", "same-session", "unknown-session"])
def test_a_refused_move_says_why_and_changes_nothing(care: Care, why: str) -> None:
    old = care.session("2027-03-03T14:00")
    target = {
        "full": lambda: care.session("2027-03-05T14:00", capacity=1),
        "past": lambda: care.session("2027-03-01T11:00"),
        "cancelled": lambda: care.session("2027-03-05T14:00"),
        "same-session": lambda: old,
        "unknown-session": lambda: care.session("2027-03-05T14:00", line="school"),
    }[why]()
    if why == "full":
        care.book(care.call(), target)
    if why == "cancelled":
        with care.database.write() as db:
            found = db.get(CareSession, target)
            assert found is not None
            found.cancelled_at = NOW
    care.book(care.call(), old, CANARY, consent=True)
    [before] = care.reminders()
    later = NOW + timedelta(hours=2) if why == "past" else NOW
    with pytest.raises(BadBooking) as refused:
        move(care, target, at=later)
    assert refused.value.code == why
    booking = booking_row(care)
    assert (booking.session_id, booking.state) == (old, "booked")
    assert places(care, old)[0] == 1
    if why not in ("same-session",):
        assert places(care, target)[0] == (1 if why == "full" else 0)
    [after] = care.reminders()
    assert (after.due_at, after.body, after.state) == (before.due_at, before.body, "pending")


def test_moving_to_a_session_too_soon_for_a_reminder_erases_it(care: Care) -> None:
    old, soon = care.session("2027-03-05T14:00"), care.session("2027-03-01T16:00")
    care.book(care.call(), old, CANARY, consent=True)
    assert move(care, soon) == "too-late"
    assert booking_row(care).reminder_key is None
    [reminder] = care.reminders()
    assert (reminder.state, reminder.address) == ("cancelled", None)


def test_moving_a_booking_without_a_reminder_says_none(care: Care) -> None:
    old, new = care.session("2027-03-03T14:00"), care.session("2027-03-08T09:00")
    care.book(care.call(), old)
    assert move(care, new) == "none"
    assert care.reminders() == []
