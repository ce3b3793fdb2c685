"""A counselor records the outcome of a call they took; the session ends while they type one."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from playwright.sync_api import expect

from hotline import clock
from tests.browser.service import Service
from tests.browser.steps import Outcome, People, fill_outcome, save_outcome, sign_in, submit

IDLE_LIMIT = timedelta(minutes=30)  # a session ends after this long without a request


def test_the_counselor_who_took_a_call_records_its_outcome_from_their_start_page(
    service: Service, people: People
) -> None:
    call = service.take_call()
    page = people.page(call.counselor, fresh=True)
    expect(page).to_have_url(re.compile(r"/outcomes$"))
    submit(page, page.locator(f"a[href$='/calls/{call.id}/outcome']"))
    fill_outcome(
        page,
        Outcome(
            risk="moderate",
            topics=("study-pressure", "family-conflict"),
            actions=("support", "follow-up"),
            caller_type="student",
            age_band="15-17",
            note="考试压力大，和父母争吵。约好周五回电 138 0013 8000。",
        ),
    )
    save_outcome(page)
    expect(page).to_have_url(re.compile(r"/outcomes$"))
    expect(page.locator("main .notice")).to_be_visible()
    expect(page.locator(f"a[href$='/calls/{call.id}/outcome']")).to_have_count(0)
    page.goto(f"/calls/{call.id}")
    expect(page.locator("main")).to_contain_text("考试压力大，和父母争吵。")
    expect(page.locator("main")).not_to_contain_text("138 0013 8000")  # numbers are removed
    saved = service.outcome_of(call.id)
    assert saved is not None
    assert (saved.risk, saved.caller_type, saved.age_band) == ("moderate", "student", "15-17")


def test_an_outcome_typed_while_the_session_ran_out_is_kept_through_signing_in_again(
    service: Service, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12: the save used to answer a bare 401 and the typed outcome was lost."""
    call = service.take_call()
    page = people.page(call.counselor, fresh=True)
    page.goto(f"/calls/{call.id}/outcome")
    typed = Outcome(call_type="information", risk="low", note="来电者问了预约流程，明天再来电。")
    fill_outcome(page, typed)
    # The counselor typed for longer than a session may stay idle: the service's clock moves on.
    real_now = clock.now
    monkeypatch.setattr(clock, "now", lambda: later(real_now(), IDLE_LIMIT))
    save_outcome(page)
    expect(page.locator("#password")).to_be_visible()  # asked to sign in again, as a page
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    sign_in(page, call.counselor, people.authenticator)
    if service.outcome_of(call.id) is None:  # back on the form, as it was typed
        expect(page.locator("h1")).to_contain_text(f"#{call.id}")
        expect(page.locator("textarea[name=note]")).to_have_value(typed.note)
        expect(page.locator("input[name=call_type][value=information]")).to_be_checked()
        save_outcome(page)
    saved = service.outcome_of(call.id)
    assert saved is not None, "the typed outcome was lost"
    assert (saved.call_type, saved.risk, saved.note) == ("information", "low", typed.note)


def later(now: datetime, idle: timedelta) -> datetime:
    return now + idle + timedelta(minutes=1)
