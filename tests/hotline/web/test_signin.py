"""Signing in: passwords, the TOTP second factor, throttling, sessions that end on the server."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from hotline.accounts.totp import current_code
from hotline.clock import now
from hotline.db import Database
from hotline.models import AuditEntry, LoginFailure, RecoveryCode, TotpEnrolment, User
from tests.hotline.web.browser import Browser
from tests.hotline.web.test_privacy_canary import dump_every_table


def actions(database: Database) -> list[tuple[str | None, str]]:
    with database.read() as reading:
        found = reading.execute(select(AuditEntry.actor, AuditEntry.action).order_by(AuditEntry.id))
        return [(actor, action) for actor, action in found]


def test_counselor_signs_in_with_a_password_and_lands_on_their_waiting_calls(
    web_app: Flask, world: Any
) -> None:
    user = world.user("wang", "counselor", counselor="wang-li")
    browser = Browser(web_app)
    answer = browser.sign_in(user)
    assert answer.status_code == 302
    assert browser.get("/").location == "/outcomes"
    assert browser.get("/outcomes").status_code == 200
    assert ("wang", "login.success") in actions(world.database)


def test_wrong_password_is_refused_without_saying_whether_the_account_exists(
    web_app: Flask, world: Any
) -> None:
    world.user("wang", "counselor", counselor="wang-li")
    browser = Browser(web_app)
    wrong = browser.post("/login", {"username": "wang", "password": "not-the-password"})
    unknown = browser.post("/login", {"username": "nobody", "password": "not-the-password"})
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong username or password" in wrong.text
    assert "Wrong username or password" in unknown.text
    assert browser.get("/calls").status_code == 302
    # A failure for a non-account stores nothing of what was typed.
    assert actions(world.database)[-2:] == [("wang", "login.failure"), (None, "login.failure")]


def test_supervisor_needs_a_totp_code_before_reaching_call_data(web_app: Flask, world: Any) -> None:
    user = world.user("sue", "supervisor")
    browser = Browser(web_app)
    first = browser.post("/login", {"username": "sue", "password": user["password"]})
    assert first.location == "/login/totp"
    assert browser.get("/calls").status_code == 302  # not signed in yet
    wrong = browser.post("/login/totp", {"code": "000000"})
    assert wrong.status_code == 401
    code = current_code(user["secret"], now())
    assert browser.post("/login/totp", {"code": code}).location == "/"
    assert browser.get("/calls").status_code == 200


def test_a_totp_code_is_accepted_once_only(web_app: Flask, world: Any) -> None:
    user = world.user("sue", "supervisor")
    code = current_code(user["secret"], now())
    first, second = Browser(web_app), Browser(web_app)
    first.post("/login", {"username": "sue", "password": user["password"]})
    assert first.post("/login/totp", {"code": code}).status_code == 302
    second.post("/login", {"username": "sue", "password": user["password"]})
    assert second.post("/login/totp", {"code": code}).status_code == 401


def enrolling(web_app: Flask, world: Any, username: str = "sam") -> tuple[dict[str, Any], Browser]:
    """A supervisor without a second factor, past the password and on the enrolment page."""
    user = world.user(username, "supervisor", secret="")
    with world.database.write() as writing:
        writing.get(User, user["id"]).totp_secret = None
    browser = Browser(web_app)
    answer = browser.post("/login", {"username": username, "password": user["password"]})
    assert answer.location == "/login/totp/setup"
    return user, browser


def shown_secret(page: str) -> str:
    return page.split('class="secret">')[1].split("<")[0]


def session_of(web_app: Flask, browser: Browser) -> dict[str, Any]:
    """The Flask session as its cookie carries it (signed, not encrypted: readable by anyone)."""
    cookie = browser.client.get_cookie("__Host-hotline")
    assert cookie is not None
    serializer = web_app.session_interface.get_signing_serializer(web_app)  # type: ignore[attr-defined]
    found: dict[str, Any] = serializer.loads(cookie.value)
    return found


def test_a_supervisor_without_a_second_factor_enrolls_at_first_sign_in(
    web_app: Flask, world: Any
) -> None:
    user, browser = enrolling(web_app, world)
    page = browser.get("/login/totp/setup")
    secret = shown_secret(page.text)
    assert shown_secret(browser.get("/login/totp/setup").text) == secret  # the same, on reload
    done = browser.post("/login/totp/setup", {"code": current_code(secret, now())})
    assert done.status_code == 200
    assert "Recovery codes" in done.text
    assert browser.get("/calls").status_code == 200
    with world.database.read() as reading:
        stored = reading.get(User, user["id"]).totp_secret
    assert stored.startswith("v3:")  # sealed with the data key of TEST_ENV
    assert secret not in stored
    assert ("sam", "totp.enrol") in actions(world.database)


def test_the_enrolment_secret_stays_on_the_server_not_in_the_session_cookie(
    web_app: Flask, world: Any
) -> None:
    _, browser = enrolling(web_app, world)
    secret = shown_secret(browser.get("/login/totp/setup").text)
    assert "pending" in session_of(web_app, browser)  # the cookie read is the real one
    assert secret not in repr(session_of(web_app, browser))
    assert secret not in dump_every_table(world.database)  # kept sealed while pending
    browser.post("/login/totp/setup", {"code": current_code(secret, now())})
    assert secret not in repr(session_of(web_app, browser))
    assert secret not in dump_every_table(world.database)
    with world.database.read() as reading:
        assert reading.scalar(select(TotpEnrolment)) is None  # confirmed: nothing left pending


def test_the_enrolment_page_shows_a_qr_code_the_unbroken_key_and_the_link(
    web_app: Flask, world: Any
) -> None:
    _, browser = enrolling(web_app, world)
    page = browser.get("/login/totp/setup").text
    secret = shown_secret(page)
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    svg = page.split('<figure class="qr">')[1].split("</svg>")[0]
    assert svg.startswith("<svg")
    assert "<path" in svg
    assert "style=" not in page  # the CSP forbids inline styles (and scripts: there are none)
    assert "<script" not in page
    link = f"otpauth://totp/Hotline:sam?secret={secret}&amp;issuer=Hotline"
    assert f'<a href="{link}">' in page


def test_a_recovery_code_stands_in_for_a_totp_code_once(web_app: Flask, world: Any) -> None:
    user, browser = enrolling(web_app, world)
    secret = shown_secret(browser.get("/login/totp/setup").text)
    done = browser.post("/login/totp/setup", {"code": current_code(secret, now())})
    codes = re.findall(r"<li><code>([a-z2-9]{5}-[a-z2-9]{5})</code></li>", done.text)
    assert len(set(codes)) == 10
    first, second = Browser(web_app), Browser(web_app)
    first.post("/login", {"username": "sam", "password": user["password"]})
    assert first.post("/login/totp", {"code": codes[3].upper()}).location == "/"
    assert first.get("/calls").status_code == 200
    second.post("/login", {"username": "sam", "password": user["password"]})
    assert second.post("/login/totp", {"code": codes[3]}).status_code == 401
    assert ("sam", "login.recovery_code") in actions(world.database)
    with world.database.read() as reading:
        hashes = list(reading.scalars(select(RecoveryCode.code_hash)))
    assert len(hashes) == 10
    assert not any(code in "".join(hashes) for code in codes)  # kept hashed


def sign_in_with_the_code_of_now(browser: Browser, user: dict[str, Any]) -> TestResponse:
    """Signs in with the current step's code, which leaves `Browser.sign_in` the next one."""
    browser.post("/login", {"username": user["username"], "password": user["password"]})
    return browser.post("/login/totp", {"code": current_code(user["secret"], now())})


def test_a_plain_secret_from_before_sealing_is_sealed_at_the_next_sign_in(
    web_app: Flask, world: Any
) -> None:
    user = world.user("sue", "supervisor")  # the world stores secrets plain, as before 0008
    assert user["secret"] in dump_every_table(world.database)
    assert sign_in_with_the_code_of_now(Browser(web_app), user).location == "/"
    assert user["secret"] not in dump_every_table(world.database)
    assert Browser(web_app).sign_in(user).location == "/"  # the sealed secret works as well


def test_logout_ends_the_session_on_the_server(web_app: Flask, world: Any) -> None:
    user = world.user("wang", "counselor", counselor="wang-li")
    browser = Browser(web_app)
    browser.sign_in(user)
    stolen = browser.client.get_cookie("__Host-hotline")
    assert stolen is not None
    assert browser.post("/logout", {}, token_from="/account").status_code == 302
    thief = Browser(web_app)
    thief.client.set_cookie("__Host-hotline", stolen.value, domain="localhost")
    assert thief.get("/outcomes").status_code == 302


def test_deactivating_an_account_ends_its_sessions_at_once(web_app: Flask, world: Any) -> None:
    admin = world.user("ada", "admin")
    user = world.user("wang", "counselor", counselor="wang-li")
    counselor, boss = Browser(web_app), Browser(web_app)
    counselor.sign_in(user)
    boss.sign_in(admin)
    assert counselor.get("/outcomes").status_code == 200
    path = f"/admin/users/{user['id']}/deactivate"
    assert boss.post(path, {}).status_code == 302  # the token of the confirmation page
    assert counselor.get("/outcomes").status_code == 302
    assert counselor.sign_in(user).status_code == 401


def test_an_idle_session_ends_after_thirty_minutes(web_app: Flask, world: Any) -> None:
    user = world.user("wang", "counselor", counselor="wang-li")
    browser = Browser(web_app)
    browser.sign_in(user)
    with browser.client.session_transaction() as session:
        session["seen"] = session["seen"] - 31 * 60
    assert browser.get("/outcomes").status_code == 302


def test_the_session_cookie_is_secure_httponly_samesite_and_host_only(
    web_app: Flask, world: Any
) -> None:
    user = world.user("wang", "counselor", counselor="wang-li")
    answer = Browser(web_app).sign_in(user)
    cookie = next(h for h in answer.headers.getlist("Set-Cookie") if h.startswith("__Host-"))
    for part in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert part in cookie
    assert "Domain" not in cookie


def test_repeated_failures_throttle_the_address_for_the_account_in_every_worker_then_end(
    web_app: Flask, world: Any
) -> None:
    user = world.user("wang", "counselor", counselor="wang-li")
    attacker = Browser(web_app, **{"X-Forwarded-For": "198.51.100.7"})
    codes = [
        attacker.post("/login", {"username": "wang", "password": f"guess-{n:04d}"}).status_code
        for n in range(11)
    ]
    assert codes == [401] * 10 + [429]
    # Another worker (another client) sees the same count: even the right password waits.
    assert Browser(web_app).sign_in(user).status_code == 429
    with world.database.write() as writing:
        for failure in writing.scalars(select(LoginFailure)):
            failure.at -= timedelta(minutes=16)  # a quarter of an hour has passed
    assert Browser(web_app).sign_in(user).status_code == 302


def from_address(web_app: Flask, address: str) -> Browser:
    browser = Browser(web_app)
    browser.client.environ_base["REMOTE_ADDR"] = address
    return browser


def test_ten_wrong_passwords_from_one_address_do_not_lock_the_owner_out(
    web_app: Flask, world: Any
) -> None:
    sue = world.user("sue", "supervisor")
    attacker = from_address(web_app, "198.51.100.7")
    for n in range(10):
        attacker.post("/login", {"username": "sue", "password": f"guess-{n:04d}"})
    assert from_address(web_app, "198.51.100.7").sign_in(sue).status_code == 429
    owner = from_address(web_app, "203.0.113.20")
    assert owner.sign_in(sue).location == "/"
    assert owner.get("/calls").status_code == 200


def test_failures_from_many_addresses_slow_the_account_down_but_never_lock_it(
    web_app: Flask, world: Any
) -> None:
    sue = world.user("sue", "supervisor")
    for address in ("198.51.100.1", "198.51.100.2"):
        for n in range(8):  # 16 for the account: the longest delay, a minute
            from_address(web_app, address).post(
                "/login", {"username": "sue", "password": f"guess-{n:04d}"}
            )
    # An address that has failed for sue waits a little after the account's latest failure...
    assert from_address(web_app, "198.51.100.1").sign_in(sue).status_code == 429
    # ... while an address that has not failed gets in at once.
    assert sign_in_with_the_code_of_now(from_address(web_app, "203.0.113.20"), sue).location == "/"
    with world.database.write() as writing:
        for failure in writing.scalars(select(LoginFailure)):
            failure.at -= timedelta(seconds=61)  # the minute has passed
    assert from_address(web_app, "198.51.100.1").sign_in(sue).location == "/"
    with world.database.read() as reading:
        scopes = list(reading.scalars(select(LoginFailure.scope)))
    assert not any("sue" in scope or "198.51" in scope or "guess" in scope for scope in scopes)


def test_past_the_hourly_ceiling_a_new_address_waits_but_the_owners_usual_desk_does_not(
    web_app: Flask, world: Any
) -> None:
    sue = world.user("sue", "supervisor")
    assert sign_in_with_the_code_of_now(from_address(web_app, "203.0.113.20"), sue).location == "/"
    for n in range(50):  # one guess from each of fifty addresses: none of them is refused
        guess = {"username": "sue", "password": f"guess-{n:04d}"}
        assert from_address(web_app, f"10.0.{n}.1").post("/login", guess).status_code == 401
    assert from_address(web_app, "198.51.100.99").sign_in(sue).status_code == 429
    assert from_address(web_app, "203.0.113.20").sign_in(sue).location == "/"
    with world.database.write() as writing:
        for failure in writing.scalars(select(LoginFailure)):
            failure.at -= timedelta(seconds=75)  # the spacing has passed
    right = {"username": "sue", "password": sue["password"]}
    assert from_address(web_app, "198.51.100.99").post("/login", right).status_code == 302
