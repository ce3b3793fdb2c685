"""The follow-up care pages, as people use them: an operator publishes and cancels sessions,
a counselor books from the outcome form, reception marks by code, a supervisor moves a
referral; and the consented number appears in no page, table, log, export or outbox listing."""

from __future__ import annotations

import json
import logging
import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import func, select

from hotline.care.calendar import SessionInput, publish_session
from hotline.cli import cli
from hotline.cli.context import Services
from hotline.clock import now
from hotline.models import AuditEntry, Booking, CareSession, Hotline, OutboxMessage, Referral
from settings import Settings
from tests.hotline.web.browser import Browser
from tests.hotline.web.test_privacy_canary import SPELLINGS, dump_every_table

CANARY = "+8613800138000"
CODE = re.compile(r"Read the code to the caller: ([A-Z0-9]{3} [A-Z0-9]{3})")


def in_days(days: int, wall: str = "14:00") -> datetime:
    day = datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=days)
    return datetime.fromisoformat(f"{day}T{wall}")


def a_session(world: Any, capacity: int = 1, days: int = 3) -> int:
    with world.database.write() as db:
        line = db.scalar(select(Hotline).where(Hotline.key == "city"))
        data = SessionInput("3号楼 204 室", "王丽", 50, capacity)
        return publish_session(db, line, data, in_days(days), now(), "olga").id


@pytest.fixture
def counselor(web_app: Flask, world: Any) -> Browser:
    person = Browser(web_app)
    person.sign_in(world.user("wang", "counselor", counselor="wang-li"))
    return person


def taken_call(world: Any) -> int:
    return int(world.call("city", now() - timedelta(minutes=15), counselor="wang-li"))


def test_a_counselor_books_from_the_outcome_form_and_is_given_the_code_to_read(
    counselor: Browser, world: Any
) -> None:
    session_id, call_id = a_session(world), taken_call(world)
    form = counselor.get(f"/calls/{call_id}/outcome")
    assert "Book a counseling session" in form.text
    assert "1 place free" in form.text
    # The line's language (the text as sent), with the session left to fill in.
    assert "提醒：您预约的会面在 (day and time)，地点：(place)" in form.text
    booked = counselor.post(
        f"/calls/{call_id}/bookings?back=outcome",
        {"session": str(session_id), "consent": "y", "phone": "138 0013 8000"},
        token_from=f"/calls/{call_id}/outcome",
    )
    assert booked.status_code == 302
    assert booked.location.endswith(f"/calls/{call_id}/outcome")
    shown = counselor.get(f"/calls/{call_id}/outcome").text
    found = CODE.search(shown)
    assert found is not None
    assert "One reminder text is queued" in shown
    with world.database.read() as db:
        assert db.scalar(select(Booking.code)) == found.group(1).replace(" ", "")
    assert "No session of this line has a free place" in shown  # it was the last place


def test_a_refused_booking_says_why_writes_nothing_and_never_shows_the_number_back(
    counselor: Browser, world: Any
) -> None:
    session_id, call_id = a_session(world), taken_call(world)
    refused = counselor.post(
        f"/calls/{call_id}/bookings",
        {"session": str(session_id), "phone": CANARY},
        token_from=f"/calls/{call_id}/outcome",
    )
    assert refused.status_code == 302
    shown = counselor.get(f"/calls/{call_id}/outcome").text
    assert "A phone number is kept only with the caller&#39;s consent" in shown
    assert "13800138000" not in shown
    with world.database.read() as db:
        assert db.scalar(select(func.count(Booking.id))) == 0
        assert db.scalar(select(func.count(OutboxMessage.id))) == 0


def test_booking_without_a_csrf_token_or_for_another_counselors_call_is_refused(
    web_app: Flask, counselor: Browser, world: Any
) -> None:
    session_id, call_id = a_session(world), taken_call(world)
    bare = counselor.client.post(f"/calls/{call_id}/bookings", data={"session": session_id})
    assert bare.status_code == 400
    other = Browser(web_app)
    other.sign_in(world.user("lina", "counselor", counselor="li-na"))
    theirs = other.post(
        f"/calls/{call_id}/bookings", {"session": str(session_id)}, token_from="/account"
    )
    assert theirs.status_code == 404
    with world.database.read() as db:
        assert db.scalar(select(func.count(Booking.id))) == 0


def test_an_operator_publishes_a_weekly_pattern_and_cancels_a_session(
    web_app: Flask, world: Any
) -> None:
    olga = Browser(web_app)
    olga.sign_in(world.user("olga", "operator"))
    first = in_days(1).date()
    published = olga.post(
        "/care/patterns",
        {
            "weekly-line": "city",
            "weekly-days": ["mon", "wed", "fri"],
            "weekly-wall": "09:30",
            "weekly-first": str(first),
            "weekly-last": str(first + timedelta(days=13)),
            "weekly-minutes": "50",
            "weekly-capacity": "2",
            "weekly-place": "Room 5",
            "weekly-provider": "Dr Zhang",
        },
        token_from="/care/sessions",
    )
    assert published.status_code == 302, published.text
    page = olga.get("/care/sessions")
    assert "6 sessions are published." in page.text
    with world.database.read() as db:
        first_id = db.scalar(select(func.min(CareSession.id)))
    cancelled = olga.post(f"/care/sessions/{first_id}/cancel", {}, token_from="/care/sessions")
    assert cancelled.status_code == 302
    assert "The session is cancelled; 0 bookings were cancelled" in olga.get("/care/sessions").text
    bad = olga.post(
        "/care/sessions",
        {
            "one-line": "city",
            "one-day": "2020-01-01",
            "one-wall": "09:00",
            "one-minutes": "50",
            "one-capacity": "1",
            "one-place": "Room 5",
            "one-provider": "Dr Zhang",
        },
        token_from="/care/sessions",
    )
    assert bad.status_code == 400
    assert "That session would start in the past." in bad.text


def test_a_counselor_cannot_reach_the_operators_pages(counselor: Browser) -> None:
    assert counselor.get("/care/sessions").status_code == 403
    assert counselor.get("/care/reception").status_code == 403
    assert counselor.get("/referrals").status_code == 403


def test_reception_marks_by_code_and_explains_a_code_it_cannot_take(
    web_app: Flask, world: Any, settings: Settings, counselor: Browser
) -> None:
    session_id, call_id = a_session(world, days=0, capacity=2), taken_call(world)
    with world.database.write() as db:  # today at 00:05, so it has started
        held = db.get(CareSession, session_id)
        held.start = now() - timedelta(minutes=5)
    counselor.post(
        f"/calls/{call_id}/bookings", {"session": str(session_id)},
        token_from=f"/calls/{call_id}/outcome",
    )  # fmt: skip
    with world.database.read() as db:
        code = db.scalar(select(Booking.code))
    assert code is None  # a started session cannot be booked
    with world.database.write() as db:
        held = db.get(CareSession, session_id)
        held.start = now() + timedelta(minutes=30)
    counselor.post(
        f"/calls/{call_id}/bookings", {"session": str(session_id)},
        token_from=f"/calls/{call_id}/outcome",
    )  # fmt: skip
    with world.database.read() as db:
        code = db.scalar(select(Booking.code))
    assert code is not None
    desk = Browser(web_app)
    desk.sign_in(world.user("desk", "operator"))
    unknown = desk.post("/care/reception", {"code": "ZZZ ZZZ", "mark": "attended"})
    assert unknown.status_code == 400
    assert "No booking of your lines has this code" in unknown.text
    early = desk.post("/care/reception", {"code": code, "mark": "missed"})
    assert "The session has not started yet" in early.text
    marked = desk.post("/care/reception", {"code": code.lower(), "mark": "attended"})
    assert marked.status_code == 302
    assert f"Booking {code[:3]} {code[3:]} is marked Attended." in desk.get("/care/reception").text


def test_a_supervisor_sees_the_referral_and_moves_it_one_step_audited(
    web_app: Flask, world: Any, counselor: Browser
) -> None:
    call_id = taken_call(world)
    proposed = counselor.post(
        f"/calls/{call_id}/referrals?back=call",
        {"partner": "kangning", "urgency": "today", "reasons": ["suicide-risk"], "consent": "y"},
        token_from=f"/calls/{call_id}/outcome",
    )
    assert proposed.location.endswith(f"/calls/{call_id}")
    with world.database.read() as db:
        referral_id = db.scalar(select(Referral.id))
    sue = Browser(web_app)
    sue.sign_in(world.user("sue", "supervisor"))
    board = sue.get("/referrals")
    assert board.status_code == 200
    assert "Suicide risk" in board.text
    moved = sue.post(f"/referrals/{referral_id}/move", {"to": "sent"}, token_from="/referrals")
    assert moved.status_code == 302
    again = sue.post(f"/referrals/{referral_id}/move", {"to": "proposed"}, token_from="/referrals")
    assert again.status_code == 302
    shown = sue.get("/referrals").text
    assert "was not changed: it is Sent to the partner." in shown
    with world.database.read() as db:
        actions = list(db.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert "referral.propose" in actions
    assert "referral.move" in actions
    assert "referrals.list" in actions


def test_the_care_pages_are_in_chinese_for_a_chinese_reader(
    web_app: Flask, world: Any, counselor: Browser
) -> None:
    a_session(world)
    call_id = taken_call(world)
    zh = Browser(web_app, **{"Accept-Language": "zh-CN"})
    zh.sign_in(world.user("wang-zh", "counselor", counselor="wang-li"))
    page = zh.get(f"/calls/{call_id}/outcome").text
    assert "预约面谈" in page
    assert "转介至合作机构" in page
    assert "提醒：您预约的会面在" in page


def test_the_consented_number_is_in_no_page_table_log_export_or_outbox_listing(
    web_app: Flask,
    world: Any,
    settings: Settings,
    counselor: Browser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    session_id, call_id = a_session(world, capacity=3), taken_call(world)
    seen = []
    for phone in ("138 0013 8000", "+86 138-0013-8000"):
        seen.append(
            counselor.post(
                f"/calls/{call_id}/bookings",
                {"session": str(session_id), "consent": "y", "phone": phone},
                token_from=f"/calls/{call_id}/outcome",
            ).text
        )
    seen += [
        counselor.get(f"/calls/{call_id}/outcome").text,
        counselor.get(f"/calls/{call_id}").text,
    ]
    admin = Browser(web_app)
    admin.sign_in(world.user("root", "admin"))
    seen += [admin.get("/care/sessions").text, admin.get("/operations/outbox").text]
    seen += [admin.get(f"/calls/{call_id}").text, admin.get("/referrals").text]
    seen.append(admin.post("/calls/export", {"format": "json"}, token_from="/calls").text)
    listing = CliRunner().invoke(
        cli, ["outbox", "list", "--json"], obj=Services(settings, world.database)
    )
    seen.append(listing.output)
    assert len(json.loads(listing.output)) == 2
    everything = "\n".join([dump_every_table(world.database), caplog.text, *seen])
    for spelling in SPELLINGS:
        assert spelling not in everything, spelling
    with world.database.read() as db:
        assert db.scalar(select(func.count(OutboxMessage.address))) == 2  # sealed, not gone


PATTERN = {
    "weekly-line": "city",
    "weekly-days": ["mon", "wed", "fri"],
    "weekly-wall": "00:00",
    "weekly-minutes": "50",
    "weekly-capacity": "2",
    "weekly-place": "Room 5",
    "weekly-provider": "Dr Zhang",
}


@pytest.mark.parametrize(
    ("form", "first", "last"),
    [
        ("pattern", "0001-01-01", "0001-01-31"),
        ("pattern", "9999-12-01", "9999-12-31"),
        ("pattern", "2026-12-01", "9999-12-31"),
        ("session", "0001-01-01", ""),
        ("session", "9999-12-31", ""),
    ],
    ids=["pattern-in-year-1", "pattern-in-year-9999", "pattern-to-9999", "day-1", "day-9999"],
)
def test_a_session_or_pattern_out_of_sane_years_is_refused_with_a_clear_message(
    web_app: Flask, world: Any, form: str, first: str, last: str
) -> None:
    olga = Browser(web_app)
    olga.sign_in(world.user("olga", "operator"))
    if form == "pattern":
        data = {**PATTERN, "weekly-first": first, "weekly-last": last}
        answer = olga.post("/care/patterns", data, token_from="/care/sessions")
    else:
        data = {k.replace("weekly-", "one-"): v for k, v in PATTERN.items() if "days" not in k}
        answer = olga.post(
            "/care/sessions", {**data, "one-day": first}, token_from="/care/sessions"
        )
    assert answer.status_code == 400
    assert "Choose a day from 2000 to 2099." in answer.text
    with world.database.read() as db:
        assert db.scalar(select(func.count(CareSession.id))) == 0
