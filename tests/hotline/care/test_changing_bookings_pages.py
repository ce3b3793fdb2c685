"""Cancelling and moving a booking from the call's page (the counselor who booked, or a
supervisor of its line), audited; and a booking or referral ticks the outcome's action."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from hotline.models import AuditEntry, Booking, CallOutcome, CareSession, Partner
from tests.hotline.care.test_care_pages import CANARY, a_session, counselor, taken_call
from tests.hotline.web.browser import Browser

__all__ = ["counselor"]  # the fixture


def booking_of(world: Any) -> Booking:
    with world.database.read() as db:
        booking: Booking | None = db.scalar(select(Booking))
        assert booking is not None
        db.expunge(booking)
    return booking


def audit(world: Any, action: str) -> list[dict[str, Any]]:
    with world.database.read() as db:
        return list(db.scalars(select(AuditEntry.detail).where(AuditEntry.action == action)))


def test_the_counselor_who_booked_moves_then_cancels_from_the_call_page(
    counselor: Browser, world: Any
) -> None:
    first, second = a_session(world, days=3), a_session(world, days=5)
    call_id = taken_call(world)
    counselor.post(
        f"/calls/{call_id}/bookings?back=call",
        {"session": str(first), "consent": "y", "phone": CANARY},
        token_from=f"/calls/{call_id}",
    )
    code = booking_of(world).code
    page = counselor.get(f"/calls/{call_id}").text
    assert "Cancel this booking" in page
    assert "Move (same code)" in page
    assert f'id="move-to-{booking_of(world).id}"' in page
    booking_id = booking_of(world).id
    moved = counselor.post(
        f"/calls/{call_id}/bookings/{booking_id}/move?back=call",
        {"to": str(second)},
        token_from=f"/calls/{call_id}",
    )
    assert moved.status_code == 302
    assert moved.location.endswith(f"/calls/{call_id}")
    shown = counselor.get(f"/calls/{call_id}").text
    assert "its code stays the same" in shown
    assert "Its reminder text now goes the day before the new session." in shown
    assert CANARY not in shown
    assert "13800138000" not in shown
    booking = booking_of(world)
    assert (booking.code, booking.session_id) == (code, second)
    [detail] = audit(world, "booking.move")
    assert detail["from"] == first
    assert detail["to"] == second
    assert detail["reminder"] == "moved"

    full = counselor.post(
        f"/calls/{call_id}/bookings/{booking_id}/move?back=call",
        {"to": str(second)},
        token_from=f"/calls/{call_id}",
    )
    assert full.status_code == 302
    assert (
        "The booking is in that session already: nothing changed."
        in counselor.get(f"/calls/{call_id}").text
    )

    cancelled = counselor.post(
        f"/calls/{call_id}/bookings/{booking_id}/cancel?back=call",
        {},
        token_from=f"/calls/{call_id}",
    )
    assert cancelled.status_code == 302
    shown = counselor.get(f"/calls/{call_id}").text
    assert "Its reminder is cancelled and the number erased." in shown
    assert "Cancel this booking" not in shown
    with world.database.read() as db:
        assert [h.booked for h in db.scalars(select(CareSession).order_by(CareSession.id))] == [
            0,
            0,
        ]
    assert booking_of(world).state == "cancelled"
    assert len(audit(world, "booking.cancel")) == 1


def test_a_move_to_a_full_session_is_refused_with_its_reason_and_changes_nothing(
    web_app: Flask, counselor: Browser, world: Any
) -> None:
    mine, full = a_session(world, days=3), a_session(world, capacity=1, days=4)
    call_id, other_call = taken_call(world), taken_call(world)
    counselor.post(f"/calls/{other_call}/bookings", {"session": str(full)}, token_from="/account")
    counselor.post(f"/calls/{call_id}/bookings", {"session": str(mine)}, token_from="/account")
    with world.database.read() as db:
        booking_id = db.scalar(select(Booking.id).where(Booking.call_id == call_id))
    refused = counselor.post(
        f"/calls/{call_id}/bookings/{booking_id}/move?back=call",
        {"to": str(full)},
        token_from=f"/calls/{call_id}",
    )
    assert refused.status_code == 302
    assert "That session has just been filled" in counselor.get(f"/calls/{call_id}").text
    with world.database.read() as db:
        assert db.scalar(select(Booking.session_id).where(Booking.id == booking_id)) == mine
        assert [h.booked for h in db.scalars(select(CareSession).order_by(CareSession.id))] == [
            1,
            1,
        ]
    assert audit(world, "booking.move") == []


def test_a_supervisor_of_the_line_may_change_a_booking_others_may_not(
    web_app: Flask, counselor: Browser, world: Any
) -> None:
    session_id, call_id = a_session(world, capacity=2), taken_call(world)
    counselor.post(
        f"/calls/{call_id}/bookings", {"session": str(session_id)}, token_from="/account"
    )
    booking_id = booking_of(world).id
    cancel_path = f"/calls/{call_id}/bookings/{booking_id}/cancel"

    bare = counselor.client.post(cancel_path)
    assert bare.status_code == 400  # no CSRF token
    lina = Browser(web_app)
    lina.sign_in(world.user("lina", "counselor", counselor="li-na"))
    assert lina.post(cancel_path, {}, token_from="/account").status_code == 404
    tom = Browser(web_app)
    tom.sign_in(world.user("tom", "supervisor", hotlines=("school",)))
    assert tom.post(cancel_path, {}, token_from="/account").status_code == 404
    olga = Browser(web_app)
    olga.sign_in(world.user("olga", "operator"))
    assert olga.post(cancel_path, {}, token_from="/account").status_code in (403, 404)
    assert booking_of(world).state == "booked"

    sue = Browser(web_app)
    sue.sign_in(world.user("sue", "supervisor", hotlines=("city",)))
    page = sue.get(f"/calls/{call_id}").text
    assert "Cancel this booking" in page
    assert "Book a counseling session" not in page  # booking stays the counselor's
    answer = sue.post(f"{cancel_path}?back=call", {}, token_from=f"/calls/{call_id}")
    assert answer.status_code == 302
    booking = booking_of(world)
    assert (booking.state, booking.marked_by) == ("cancelled", "sue")
    with world.database.read() as db:
        who = db.scalar(select(AuditEntry.actor).where(AuditEntry.action == "booking.cancel"))
    assert who == "sue"


OUTCOME = {"call_type": "counseling", "risk": "low", "actions": ["support"], "note": ""}


def ticked(page: str, action: str) -> bool:
    found = re.search(rf'<input[^>]*value="{action}"[^>]*>', page)
    assert found is not None, action
    return "checked" in found.group(0)


def test_booking_and_referring_tick_the_saved_outcomes_actions(
    counselor: Browser, world: Any
) -> None:
    session_id, call_id = a_session(world), taken_call(world)
    saved = counselor.post(f"/calls/{call_id}/outcome", OUTCOME)
    assert saved.status_code == 302
    counselor.post(
        f"/calls/{call_id}/bookings", {"session": str(session_id)}, token_from="/account"
    )
    counselor.post(
        f"/calls/{call_id}/referrals",
        {"partner": "kangning", "urgency": "routine", "reasons": ["anxiety"], "consent": "y"},
        token_from="/account",
    )
    with world.database.read() as db:
        outcome = db.scalar(select(CallOutcome).where(CallOutcome.call_id == call_id))
        assert outcome is not None
        assert outcome.actions == ["support", "appointment", "referral"]
        partner = db.scalar(select(Partner.key).where(Partner.id == outcome.partner_id))
    assert partner == "kangning"
    form = counselor.get(f"/calls/{call_id}/outcome").text
    assert ticked(form, "appointment")
    assert ticked(form, "referral")


def test_a_first_outcome_comes_with_the_booking_and_referral_ticked(
    counselor: Browser, world: Any
) -> None:
    session_id, call_id = a_session(world), taken_call(world)
    assert not ticked(counselor.get(f"/calls/{call_id}/outcome").text, "appointment")
    counselor.post(
        f"/calls/{call_id}/bookings", {"session": str(session_id)}, token_from="/account"
    )
    form = counselor.get(f"/calls/{call_id}/outcome").text
    assert ticked(form, "appointment")
    assert not ticked(form, "referral")
    counselor.post(
        f"/calls/{call_id}/referrals",
        {"partner": "kangning", "urgency": "routine", "reasons": ["anxiety"], "consent": "y"},
        token_from="/account",
    )
    form = counselor.get(f"/calls/{call_id}/outcome").text
    assert ticked(form, "appointment")
    assert ticked(form, "referral")
    assert re.search(
        r'<option[^>]*selected[^>]*value="kangning"|<option[^>]*value="kangning"[^>]*selected', form
    )
