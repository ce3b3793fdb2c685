"""A counselor books a counseling session from the outcome form while the caller is on the
line, on a phone-sized screen, and reads the code out; the number given for the reminder is
never shown again."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect
from sqlalchemy import select

from hotline import clock
from hotline.care.calendar import SessionInput, publish_session
from hotline.models import Booking, Hotline
from tests.browser.service import Service
from tests.browser.steps import NARROW, People, submit


def publish(service: Service, capacity: int) -> int:
    with service.database.write() as db:
        line = db.scalar(select(Hotline).where(Hotline.key == "city"))
        assert line is not None
        day = datetime.now(ZoneInfo(line.timezone)).date() + timedelta(days=3)
        wall = datetime.fromisoformat(f"{day}T15:30")
        data = SessionInput("3号楼 204 室", "王丽", 50, capacity)
        return publish_session(db, line, data, wall, clock.now(), "operator").id


def test_a_counselor_books_the_last_place_from_the_outcome_form_and_reads_the_code(
    service: Service, people: People
) -> None:
    session_id = publish(service, capacity=1)
    call = service.take_call()
    page = people.page(call.counselor, fresh=True, viewport=NARROW)
    page.goto(f"/calls/{call.id}/outcome")
    booking = page.locator("form.booking")
    expect(booking.locator("blockquote.reminder")).to_contain_text("提醒：您预约的会面在")
    booking.locator("select[name=session]").select_option(str(session_id))
    booking.locator("input[name=consent]").check()
    booking.locator("input[name=phone]").fill("138 0013 8000")
    submit(page, booking.locator("[type=submit]"))
    expect(page).to_have_url(re.compile(rf"/calls/{call.id}/outcome$"))
    notice = page.locator("main .notice").first
    expect(notice).to_contain_text("3号楼 204 室")
    said = re.search(r"[A-Z2-9]{3} [A-Z2-9]{3}", notice.inner_text())
    assert said is not None
    with service.database.read() as db:
        assert db.scalar(select(Booking.code).where(Booking.session_id == session_id)) == (
            said.group(0).replace(" ", "")
        )
    expect(page.locator("main")).not_to_contain_text("138 0013 8000")
    expect(page.locator("form.booking")).to_contain_text("未来三个月内没有空余的面谈名额")
    # The page still fits the phone: nothing scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    expect(page.locator("form.outcome")).to_be_visible()  # the outcome is entered next
