"""After signing in, back to the page asked for (a deep link from an alert lands on its call);
an outcome typed while the session ended is kept through signing in again, never in a URL."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from hotline.accounts.totp import current_code, new_secret
from hotline.clock import now
from hotline.models import CallOutcome, User
from tests.hotline.web.browser import Browser, token_of

NOTE = "来电者说明天还会再打来；约好周五下午回访。"
OUTCOME = {
    "call_type": "counseling",
    "risk": "moderate",
    "topics": "family-conflict",
    "partner": "",
    "caller_type": "parent",
    "age_band": "",
    "note": NOTE,
}


def hidden_fields(page: str) -> list[tuple[str, str]]:
    found = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    return [(name, html.unescape(value)) for name, value in found]


def form_action(page: str) -> str:
    found = re.search(r'<form method="post" action="([^"]+)"', page)
    assert found is not None
    return html.unescape(found.group(1))


def saved_note(world: Any, call_id: int) -> str | None:
    with world.database.read() as reading:
        note: str | None = reading.scalar(
            select(CallOutcome.note).where(CallOutcome.call_id == call_id)
        )
    return note


def test_a_deep_link_lands_on_its_call_after_signing_in(web_app: Flask, world: Any) -> None:
    call_id = world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    user = world.user("wang", "counselor", counselor="wang-li")
    browser = Browser(web_app)
    asked = browser.get(f"/calls/{call_id}")
    assert asked.location == f"/login?next=/calls/{call_id}"
    answer = browser.post(asked.location, {"username": "wang", "password": user["password"]})
    assert answer.location == f"/calls/{call_id}"


def test_a_deep_link_survives_the_second_step(web_app: Flask, world: Any) -> None:
    call_id = world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    user = world.user("sue", "supervisor")
    browser = Browser(web_app)
    login = browser.get(f"/calls/{call_id}?x=1").location
    first = browser.post(login, {"username": "sue", "password": user["password"]})
    assert first.location == "/login/totp"
    second = browser.post(first.location, {"code": current_code(user["secret"], now())})
    assert second.location == f"/calls/{call_id}?x=1"


def test_a_deep_link_survives_enrolling_in_a_second_factor(web_app: Flask, world: Any) -> None:
    call_id = world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    user = world.user("sam", "supervisor", secret="")
    with world.database.write() as writing:
        writing.get(User, user["id"]).totp_secret = None
    browser = Browser(web_app)
    login = browser.get(f"/calls/{call_id}?x=1").location
    first = browser.post(login, {"username": "sam", "password": user["password"]})
    assert first.location == "/login/totp/setup"
    setup = browser.get(first.location).text
    secret = setup.split('class="secret">')[1].split("<")[0]
    codes = browser.post(first.location, {"code": current_code(secret, now())})
    assert "Recovery codes" in codes.text
    assert f'<a href="/calls/{call_id}?x=1">' in codes.text
    assert browser.get(f"/calls/{call_id}?x=1").status_code == 200


def test_the_recovery_codes_lead_home_without_a_page_asked_for(web_app: Flask, world: Any) -> None:
    user = world.user("sam", "supervisor", secret="")
    with world.database.write() as writing:
        writing.get(User, user["id"]).totp_secret = None
    browser = Browser(web_app)
    first = browser.post(
        "/login?next=//evil.example/x", {"username": "sam", "password": user["password"]}
    )
    secret = browser.get(first.location).text.split('class="secret">')[1].split("<")[0]
    codes = browser.post(first.location, {"code": current_code(secret, now())})
    assert '<a href="/">' in codes.text
    assert "evil.example" not in codes.text


@pytest.mark.parametrize(
    "elsewhere", ["https://evil.example/x", "//evil.example/x", "/\\evil.example", "/login"]
)
def test_next_never_leads_off_the_site(web_app: Flask, world: Any, elsewhere: str) -> None:
    user = world.user("wang", "counselor", counselor="wang-li")
    browser = Browser(web_app)
    answer = browser.post(
        f"/login?next={elsewhere}", {"username": "wang", "password": user["password"]}
    )
    assert answer.location == "/"


def expire(browser: Browser) -> None:
    with browser.client.session_transaction() as session:
        session["seen"] = session["seen"] - 31 * 60


def test_an_outcome_typed_past_the_session_is_kept_through_signing_in_again(
    web_app: Flask, world: Any
) -> None:
    call_id = world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    user = world.user("wang", "counselor", counselor="wang-li")
    browser = Browser(web_app, **{"Accept-Language": "en"})
    browser.sign_in(user)
    path = f"/calls/{call_id}/outcome"
    token = token_of(browser.get(path).text)
    expire(browser)
    lost = browser.client.post(path, data={**OUTCOME, "csrf_token": token})
    assert lost.status_code == 401
    assert "What you typed is kept" in lost.text
    assert ("note", NOTE) in hidden_fields(lost.text)
    assert NOTE not in form_action(lost.text)
    assert NOTE not in (lost.headers.get("Set-Cookie") or "")
    again = dict(hidden_fields(lost.text))
    again.update(username="wang", password=user["password"], csrf_token=token_of(lost.text))
    back = browser.client.post(form_action(lost.text), data=again)
    assert back.status_code == 200
    assert NOTE in back.text
    assert '<option selected value="parent">' in back.text
    assert saved_note(world, call_id) is None  # kept, not saved behind the counselor's back
    saved = browser.client.post(path, data={**OUTCOME, "csrf_token": token_of(back.text)})
    assert saved.status_code == 302
    assert saved_note(world, call_id) == NOTE


def test_signing_in_again_takes_the_code_of_a_second_factor(web_app: Flask, world: Any) -> None:
    call_id = world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    user = world.user("wang", "counselor", counselor="wang-li", secret=new_secret())
    browser = Browser(web_app)
    lost = browser.client.post(f"/calls/{call_id}/outcome", data=OUTCOME)
    again = {**dict(hidden_fields(lost.text)), "username": "wang", "password": user["password"]}
    again["csrf_token"] = token_of(lost.text)
    without = browser.client.post(form_action(lost.text), data=again)
    assert without.status_code == 401
    again["code"] = current_code(user["secret"], now())
    again["csrf_token"] = token_of(without.text)
    back = browser.client.post(form_action(lost.text), data=again)
    assert back.status_code == 200
    assert NOTE in back.text


def test_a_wrong_password_when_signing_in_again_still_keeps_the_outcome(
    web_app: Flask, world: Any
) -> None:
    call_id = world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    browser = Browser(web_app)
    lost = browser.client.post(f"/calls/{call_id}/outcome", data=OUTCOME)
    again = {**dict(hidden_fields(lost.text)), "username": "wang", "password": "wrong-one"}
    again["csrf_token"] = token_of(lost.text)
    refused = browser.client.post(form_action(lost.text), data=again)
    assert refused.status_code == 401
    assert ("note", NOTE) in hidden_fields(refused.text)
    assert "wrong-one" not in refused.text


def test_a_form_posted_from_another_site_is_not_echoed(web_app: Flask, world: Any) -> None:
    call_id = world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    stranger = Browser(web_app, Origin="https://evil.example")
    answer = stranger.client.post(
        f"/calls/{call_id}/outcome", data=OUTCOME, headers=stranger.headers
    )
    assert answer.status_code == 401
    assert NOTE not in answer.text
    assert "Sign in first" in answer.text
