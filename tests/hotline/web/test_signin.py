"""Signing in: passwords, the TOTP second factor, throttling, sessions that end on the server."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from hotline.accounts.totp import current_code
from hotline.clock import now
from hotline.db import Database
from hotline.models import AuditEntry
from tests.hotline.web.browser import Browser


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


def test_a_supervisor_without_a_second_factor_enrolls_at_first_sign_in(
    web_app: Flask, world: Any
) -> None:
    user = world.user("sam", "supervisor", secret="")
    from hotline.models import User

    with world.database.write() as writing:
        writing.get(User, user["id"]).totp_secret = None
    browser = Browser(web_app)
    answer = browser.post("/login", {"username": "sam", "password": user["password"]})
    assert answer.location == "/login/totp/setup"
    page = browser.get("/login/totp/setup")
    secret = page.text.split('class="secret">')[1].split("<")[0]
    done = browser.post("/login/totp/setup", {"code": current_code(secret, now())})
    assert done.location == "/"
    with world.database.read() as reading:
        assert reading.get(User, user["id"]).totp_secret == secret


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
    assert boss.post(path, {}, token_from="/admin/users").status_code == 302
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


def test_repeated_failures_throttle_the_account_for_every_worker_then_let_it_in_again(
    web_app: Flask, world: Any
) -> None:
    from datetime import timedelta

    from hotline.models import LoginFailure

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
