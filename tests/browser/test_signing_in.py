"""Signing in (a supervisor enrols a second factor the first time), and signing out."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.service import Demo
from tests.browser.steps import (
    NARROW,
    People,
    enter_code,
    enter_password,
    overflow,
    sign_in,
    submit,
)

SIGN_IN = re.compile(r"/login(\?.*)?$")  # with where to go next, or not


def fits(page: Page) -> None:
    assert overflow(page) is None, f"{page.url}: {overflow(page)}"


def test_a_supervisor_enrols_a_second_factor_at_first_sign_in_and_then_needs_its_codes(
    people: People,
) -> None:
    """On a phone's screen, as a supervisor starting out would."""
    username, authenticator = "supervisor-school-yz", people.authenticator
    page = people.page(viewport=NARROW)
    fits(page)
    enter_password(page, username)
    expect(page).to_have_url(re.compile(r"/login/totp/setup"))
    fits(page)
    authenticator.learn(username, page)
    enter_code(page, authenticator.wrong_code(username))
    expect(page.locator("#code")).to_be_visible()  # a wrong code: still enrolling
    enter_code(page, authenticator.code(username))
    if "/login/totp" in page.url:  # the recovery codes, shown this once
        expect(page.locator("main code").first).to_be_visible()
        fits(page)
        submit(page, page.locator("main a[href], main [type=submit]").last)
    expect(page).to_have_url(re.compile(r"/calls$"))
    sign_out(page)
    enter_password(page, username)
    expect(page).to_have_url(re.compile(r"/login/totp$"))  # a code now, no new enrolment
    fits(page)
    enter_code(page, authenticator.code(username))
    expect(page).to_have_url(re.compile(r"/calls$"))


def sign_out(page: Page) -> None:
    page.goto("/account")
    submit(page, page.locator("form[action$='/logout'] [type=submit]"))
    expect(page).to_have_url(SIGN_IN)


def test_signing_out_ends_the_session_on_the_server_not_only_in_this_browser(
    people: People,
) -> None:
    page = people.page("ma-jun", fresh=True)
    cookies = page.context.storage_state()
    sign_out(page)
    page.goto("/outcomes")
    expect(page).to_have_url(SIGN_IN)
    replayed = people.page(cookies=cookies)  # the cookie as it was before signing out
    replayed.goto("/outcomes")
    expect(replayed).to_have_url(SIGN_IN)


def test_a_wrong_password_keeps_the_door_shut_and_says_so(people: People) -> None:
    page = people.page()
    page.locator("#username").fill("ma-jun")
    page.locator("#password").fill("demo-not-ma-jun")
    submit(page, page.locator("form:has(#password) [type=submit]"))  # a wrong password
    expect(page.locator("main .error")).to_be_visible()
    page.goto("/outcomes")
    expect(page).to_have_url(SIGN_IN)


def test_a_link_to_a_call_opened_signed_out_leads_to_that_call_after_signing_in(
    demo: Demo, people: People
) -> None:
    """As the links in alert messages are opened (issue 12: they landed on the call log)."""
    page = people.page()
    page.goto(f"/calls/{demo.flagged.id}")
    expect(page).to_have_url(SIGN_IN)
    sign_in(page, demo.counselor, people.authenticator)
    expect(page).to_have_url(re.compile(rf"/calls/{demo.flagged.id}$"))
