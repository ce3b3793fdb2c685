"""Sessions in the line's zone, booking with a short code, refusals that write nothing, and
the consented reminder number sealed inside its outbox message only."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from hotline.care import calendar
from hotline.care.booking import BadBooking, BookingInput, book
from hotline.care.calendar import (
    BadSession,
    SessionInput,
    free_sessions,
    publish_session,
    publish_weekly,
)
from hotline.care.codes import ALPHABET, LENGTH, read_code
from hotline.models import Booking, Call, CareSession, OutboxMessage
from hotline.outbound.sealed import open_address
from hotline.web.forms import SANE_DATES
from tests.hotline.care.conftest import CANARY, NOW, Care


def counts(care: Care) -> tuple[int, int, int]:
    with care.database.read() as db:
        return (
            int(db.scalar(select(func.count(Booking.id))) or 0),
            int(db.scalar(select(func.sum(CareSession.booked))) or 0),
            int(db.scalar(select(func.count(OutboxMessage.id))) or 0),
        )


def test_a_session_is_published_at_the_wall_clock_time_of_its_line(care: Care) -> None:
    city = care.session("2027-03-03T14:00")  # Shanghai: UTC+8
    school = care.session("2027-03-03T14:00", line="school")  # London: UTC+0 in March
    with care.database.read() as db:
        starts = {row.id: row.start for row in db.scalars(select(CareSession))}
    assert starts[city] == datetime(2027, 3, 3, 6, 0, tzinfo=UTC)
    assert starts[school] == datetime(2027, 3, 3, 14, 0, tzinfo=UTC)


def test_a_weekly_pattern_keeps_its_local_hour_across_the_spring_forward_night(
    care: Care,
) -> None:
    data = SessionInput("Room 2", "Dr Moss", 45, 3)
    with care.database.write() as db:
        _, made = publish_weekly(
            db, care.line(db, "school"), data, ("mon", "thu"), time(9, 30),
            date(2027, 3, 22), date(2027, 4, 5), NOW, "olga",
        )  # fmt: skip
        starts = list(db.scalars(select(CareSession.start).order_by(CareSession.start)))
    assert made == 5  # Mon 22, Thu 25, Mon 29, Thu 1, Mon 5
    # London moves to BST on 28 March: 09:30 local is 09:30 UTC before and 08:30 UTC after.
    assert [s.hour for s in starts] == [9, 9, 8, 8, 8]
    assert {s.minute for s in starts} == {30}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"place": "  "}, "blank"),
        ({"minutes": 5}, "minutes"),
        ({"capacity": 0}, "capacity"),
        ({"place": "x" * 201}, "too-long-text"),
    ],
    ids=["no-place", "too-short", "no-places", "place-too-long"],
)
def test_a_session_with_a_bad_value_is_refused_with_its_reason(
    care: Care, change: dict[str, object], code: str
) -> None:
    values: dict[str, object] = {"place": "A", "provider": "B", "minutes": 50, "capacity": 1}
    with pytest.raises(BadSession) as refused, care.database.write() as db:
        publish_weekly(
            db, care.line(db), SessionInput(**{**values, **change}),  # type: ignore[arg-type]
            ("mon",), time(9), date(2027, 3, 1), date(2027, 3, 31), NOW, "olga",
        )  # fmt: skip
    assert refused.value.code == code
    assert counts(care) == (0, 0, 0)


def test_a_session_in_the_past_is_refused(care: Care) -> None:
    with pytest.raises(BadSession) as refused:
        care.session("2027-03-01T09:00")  # an hour before NOW, Shanghai time
    assert refused.value.code == "past"


def test_a_booking_gets_a_short_code_and_takes_one_place(care: Care) -> None:
    session_id, call_id = care.session(capacity=2), care.call()
    booked = care.book(call_id, session_id)
    code = booked.booking.code
    assert len(code) == LENGTH
    assert set(code) <= set(ALPHABET)
    assert read_code(f"{code[:3].lower()} - {code[3:]}") == code  # as someone may type it
    assert booked.booking.call_id == call_id
    assert not booked.reminder
    assert counts(care) == (1, 1, 0)
    with care.database.read() as db:
        assert [s.free for s in free_sessions(db, [care.line_id()], NOW)] == [1]


def test_a_full_session_is_refused_and_nothing_is_written(care: Care) -> None:
    session_id = care.session(capacity=1)
    care.book(care.call(), session_id)
    with pytest.raises(BadBooking) as refused:
        care.book(care.call(), session_id, CANARY, consent=True)
    assert refused.value.code == "full"
    assert counts(care) == (1, 1, 0)
    with care.database.read() as db:
        assert free_sessions(db, [care.line_id()], NOW) == []


def test_a_session_that_has_started_is_refused(care: Care) -> None:
    session_id = care.session("2027-03-01T11:00")
    with pytest.raises(BadBooking) as refused:
        care.book(care.call(), session_id, at=NOW + timedelta(hours=2))
    assert refused.value.code == "past"
    assert counts(care) == (0, 0, 0)


def test_a_session_of_another_line_is_refused(care: Care) -> None:
    session_id = care.session(line="school")
    with pytest.raises(BadBooking) as refused:
        care.book(care.call(), session_id)
    assert refused.value.code == "unknown-session"


def test_a_number_without_consent_is_refused_and_no_contact_is_stored(care: Care) -> None:
    session_id = care.session()
    with pytest.raises(BadBooking) as refused:
        care.book(care.call(), session_id, CANARY, consent=False)
    assert refused.value.code == "contact-without-consent"
    assert counts(care) == (0, 0, 0)


def test_a_number_that_cannot_take_a_text_is_refused(care: Care) -> None:
    session_id = care.session()
    with pytest.raises(BadBooking) as refused:
        care.book(care.call(), session_id, "12345", consent=True)
    assert refused.value.code == "bad-phone"
    assert counts(care) == (0, 0, 0)


def test_a_consented_number_is_sealed_in_a_reminder_due_the_day_before_and_nowhere_else(
    care: Care,
) -> None:
    session_id = care.session("2027-03-03T14:00")
    booked = care.book(care.call(), session_id, "138 0013 8000", consent=True)
    assert booked.reminder
    assert booked.booking.reminder_consent
    [message] = care.reminders()
    assert message.key == booked.booking.reminder_key
    # 10:00 in Shanghai the day before: 02:00 UTC on 2 March.
    assert message.due_at == datetime(2027, 3, 2, 2, 0, tzinfo=UTC)
    assert message.call_id is None
    assert message.recipient_user_id is None
    assert booked.booking.code not in message.key  # the key says nothing of the booking
    assert message.address is not None
    assert "13800138000" not in message.address
    assert open_address(care.keys, message.id, message.address) == CANARY
    assert "心理" not in message.body
    assert "热线" not in message.body
    assert "3号楼 204 室" in message.body
    assert "14:00" in message.body


def test_a_sealed_number_copied_into_another_message_does_not_open(care: Care) -> None:
    session_id = care.session()
    care.book(care.call(), session_id, CANARY, consent=True)
    [message] = care.reminders()
    assert message.address is not None
    assert open_address(care.keys, message.id + 1, message.address) is None


def test_no_number_is_kept_when_the_reminder_time_has_passed(care: Care) -> None:
    session_id = care.session("2027-03-02T09:00")  # tomorrow morning: 10:00 today has passed
    booked = care.book(care.call(), session_id, CANARY, consent=True)
    assert not booked.reminder
    assert booked.too_late_to_remind
    assert counts(care) == (1, 1, 0)


def book_as_wang(care: Care, call_id: int, data: BookingInput, sender: str) -> bool:
    """Book as wang, reminders sent from `sender`; True when a reminder is queued."""
    with care.database.write() as db:
        call = db.get(Call, call_id)
        assert call is not None
        return book(
            db, call, data, NOW, actor="wang", keys=care.keys, reminders_from=sender
        ).reminder


@pytest.mark.parametrize("sender", ["+8657463898070", "+8657463898071"], ids=["own", "other"])
def test_a_reminder_from_a_lines_own_number_is_refused_and_nothing_is_written(
    care: Care, sender: str
) -> None:
    """A reply to a line's number names the line: the caller's phone would tell on them."""
    call_id, held = care.call(), care.session()
    with pytest.raises(BadBooking) as refused:
        book_as_wang(care, call_id, BookingInput(held, True, CANARY), sender)
    assert refused.value.code == "sender-is-a-line"
    assert "HOTLINE_SMS_FROM" in str(refused.value)
    assert counts(care) == (0, 0, 0)
    assert not book_as_wang(care, call_id, BookingInput(held, False, ""), sender)  # no number
    assert book_as_wang(care, call_id, BookingInput(held, True, CANARY), "+8657463898000")
    assert counts(care) == (2, 2, 1)


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (date(1, 1, 1), date(1, 1, 31)),
        (date(9999, 12, 1), date(9999, 12, 31)),
        (date(2027, 3, 1), date(9999, 12, 31)),
        (date(1999, 12, 31), date(2000, 1, 6)),
    ],
    ids=["year-1", "year-9999", "to-9999", "from-1999"],
)
def test_a_day_outside_the_sane_years_is_refused_with_a_reason_not_an_overflow(
    care: Care, first: date, last: date
) -> None:
    data = SessionInput("Room 2", "Dr Moss", 45, 3)
    with pytest.raises(BadSession) as weekly, care.database.write() as db:
        publish_weekly(db, care.line(db), data, ("mon",), time(0), first, last, NOW, "olga")
    assert weekly.value.code == "out-of-range"
    outside = last if calendar.DAYS[0] <= first <= calendar.DAYS[1] else first
    with pytest.raises(BadSession) as one, care.database.write() as db:
        publish_session(db, care.line(db), data, datetime.combine(outside, time(0)), NOW, "o")
    assert one.value.code == "out-of-range"
    assert counts(care) == (0, 0, 0)
    assert calendar.DAYS == (SANE_DATES.min, SANE_DATES.max)  # what the forms accept
