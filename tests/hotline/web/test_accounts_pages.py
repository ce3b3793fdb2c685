"""The administrator's accounts pages and everyone's own password: no password passes through an
administrator (a one-time link), deactivation asks first, and every change is audited."""

from __future__ import annotations

import html
import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from hotline.models import AuditEntry, User
from tests.hotline.web.browser import Browser

NEW_PASSWORD = "a long walk by the sea"


def audited(world: Any, action: str) -> list[tuple[str | None, str | None, str | None]]:
    with world.database.read() as reading:
        rows = reading.execute(
            select(AuditEntry.actor, AuditEntry.target, AuditEntry.source)
            .where(AuditEntry.action == action, AuditEntry.actor != "test")
            .order_by(AuditEntry.id)
        ).all()
    return [(actor, target, source) for actor, target, source in rows]


def link_in(page: str) -> str:
    found = re.search(r'<code class="wrap">https://hotline\.example\.org([^<]+)</code>', page)
    assert found is not None, "the page shows no link"
    return html.unescape(found.group(1))


def admin_browser(web_app: Flask, world: Any) -> Browser:
    browser = Browser(web_app, **{"Accept-Language": "en"})
    browser.sign_in(world.user("ada", "admin"))
    return browser


def test_an_added_account_sets_its_own_password_through_a_one_time_link(
    web_app: Flask, world: Any
) -> None:
    admin = admin_browser(web_app, world)
    form = {"username": "li", "role": "counselor", "counselor": "li-na", "phone": "", "email": ""}
    added = admin.post("/admin/users/new", form)
    assert added.status_code == 200
    link = link_in(added.text)
    newcomer = Browser(web_app, **{"Accept-Language": "en"})
    assert newcomer.sign_in({"username": "li", "password": ""}).status_code != 302
    weak = newcomer.post(link, {"password": "12345678", "repeat": "12345678"})
    assert weak.status_code == 400
    assert "too common" in weak.text
    differ = newcomer.post(link, {"password": NEW_PASSWORD, "repeat": NEW_PASSWORD + "!"})
    assert differ.status_code == 400
    assert "The two passwords differ." in differ.text
    assert newcomer.post(link, {"password": NEW_PASSWORD, "repeat": NEW_PASSWORD}).location == (
        "/login"
    )
    assert newcomer.get(link).status_code == 404  # once only
    signed_in = newcomer.sign_in({"username": "li", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    assert audited(world, "user.add") == [("ada", "li", "127.0.0.1")]
    assert audited(world, "user.password") == [("li", "li", "127.0.0.1")]


def test_a_new_account_that_breaks_a_rule_is_refused_on_the_fields_concerned(
    web_app: Flask, world: Any
) -> None:
    admin = admin_browser(web_app, world)
    form = {"username": "9lives", "role": "operator", "counselor": "wang-li", "phone": "123"}
    refused = admin.post("/admin/users/new", {**form, "email": "nobody@"})
    assert refused.status_code == 400
    for said in (
        "Lower-case letters, digits",
        "A counselor's account names its counselor",
        "A number in E.164 form",
        "Not an e-mail address.",
    ):
        assert said in html.unescape(refused.text)
    assert audited(world, "user.add") == []


def test_deactivation_asks_first_and_reactivation_lets_the_user_back(
    web_app: Flask, world: Any
) -> None:
    admin = admin_browser(web_app, world)
    user = world.user("wang", "counselor", counselor="wang-li")
    path = f"/admin/users/{user['id']}/deactivate"
    listed = admin.get("/admin/users").text
    assert f'href="{path}"' in listed  # a link to the question
    assert "Last sign-in (UTC)" in listed
    asked = admin.get(path)
    assert asked.status_code == 200
    assert "Deactivate wang?" in asked.text
    assert admin.post(path, {}).location == "/admin/users"
    assert Browser(web_app).sign_in(user).status_code == 401
    reactivate = f"/admin/users/{user['id']}/reactivate"
    assert admin.post(reactivate, {}, token_from="/admin/users").location == "/admin/users"
    assert Browser(web_app).sign_in(user).status_code == 302
    assert audited(world, "user.deactivate") == [("ada", "wang", "127.0.0.1")]
    assert audited(world, "user.reactivate") == [("ada", "wang", "127.0.0.1")]


def test_a_reset_stops_the_password_ends_sessions_and_hands_over_a_link(
    web_app: Flask, world: Any
) -> None:
    admin = admin_browser(web_app, world)
    user = world.user("wang", "counselor", counselor="wang-li")
    counselor = Browser(web_app)
    counselor.sign_in(user)
    path = f"/admin/users/{user['id']}/password"
    assert "Reset the password of wang?" in admin.get(path).text
    link = link_in(admin.post(path, {}).text)
    assert counselor.get("/outcomes").status_code == 302  # signed out
    assert Browser(web_app).sign_in(user).status_code == 401  # the old password is gone
    assert counselor.post(link, {"password": NEW_PASSWORD, "repeat": NEW_PASSWORD}).location
    assert counselor.sign_in({**user, "password": NEW_PASSWORD}).status_code == 302
    assert audited(world, "user.password_reset") == [("ada", "wang", "127.0.0.1")]


def test_an_administrator_changes_no_account_of_their_own_on_these_pages(
    web_app: Flask, world: Any
) -> None:
    admin = admin_browser(web_app, world)
    with world.database.read() as reading:
        own = reading.scalar(select(User.id).where(User.username == "ada"))
    assert admin.get(f"/admin/users/{own}/deactivate").status_code == 404
    assert admin.get(f"/admin/users/{own}/password").status_code == 404


def test_everyone_changes_their_own_password_knowing_the_current_one(
    web_app: Flask, world: Any
) -> None:
    user = world.user("wang", "counselor", counselor="wang-li")
    here, elsewhere = Browser(web_app, **{"Accept-Language": "en"}), Browser(web_app)
    here.sign_in(user)
    elsewhere.sign_in(user)
    assert 'href="/account/password"' in here.get("/account").text
    change = {"password": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    wrong = here.post("/account/password", {**change, "current": "not-it-at-all"})
    assert wrong.status_code == 400
    assert "That is not your current password." in wrong.text
    done = here.post("/account/password", {**change, "current": user["password"]})
    assert done.location == "/account"
    assert "Your password is changed." in here.get("/account").text  # still signed in here
    assert elsewhere.get("/outcomes").status_code == 302  # and nowhere else
    assert Browser(web_app).sign_in({**user, "password": NEW_PASSWORD}).status_code == 302
    assert audited(world, "user.password") == [("wang", "wang", "127.0.0.1")]


def test_wrong_current_passwords_go_through_the_sign_in_throttle(
    web_app: Flask, world: Any
) -> None:
    user = world.user("wang", "counselor", counselor="wang-li")
    thief = Browser(web_app, **{"Accept-Language": "en"})
    thief.client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    thief.sign_in(user)
    change = {"password": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    codes = [
        thief.post("/account/password", {**change, "current": f"guess-{n:04d}"}).status_code
        for n in range(10)
    ]
    assert codes == [400] * 10
    held = thief.post("/account/password", {**change, "current": user["password"]})
    assert held.status_code == 429  # even the right one waits, as at sign-in
    assert "Too many failed attempts. Wait a few minutes, then try again." in held.text
    assert audited(world, "user.password") == []
    assert len(audited(world, "login.failure")) == 10
    assert ("wang", None, "198.51.100.7") in audited(world, "login.throttled")
    # One throttle: signing in from that address is held back too, not from the owner's desk.
    again = Browser(web_app)
    again.client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert again.sign_in(user).status_code == 429
    owner = Browser(web_app)
    owner.client.environ_base["REMOTE_ADDR"] = "203.0.113.20"
    assert owner.sign_in(user).status_code == 302
    done = owner.post("/account/password", {**change, "current": user["password"]})
    assert done.location == "/account"


def test_the_throttle_message_of_the_password_page_is_said_in_chinese(
    web_app: Flask, world: Any
) -> None:
    user = world.user("wang", "counselor", counselor="wang-li")
    browser = Browser(web_app, **{"Accept-Language": "zh-CN"})
    browser.sign_in(user)
    change = {"password": NEW_PASSWORD, "repeat": NEW_PASSWORD}
    for n in range(10):
        browser.post("/account/password", {**change, "current": f"guess-{n:04d}"})
    held = browser.post("/account/password", {**change, "current": user["password"]})
    assert held.status_code == 429
    assert "失败次数过多，请稍等几分钟再试。" in held.text
