"""Calendar feeds: a counselor's secret iCal URL made, found again, cached (ETag, 304) and
revoked at once; a line's made by its operators; audited; no phone numbers in them."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from sqlalchemy import select

from hotline.models import AuditEntry, CalendarFeed, Counselor
from tests.hotline.web.browser import Browser

_URL = re.compile(r'value="https://hotline\.example\.org(/feeds/[A-Za-z0-9_-]+\.ics)"')


def _signed_in(web_app: Flask, world: Any, name: str, role: str, **options: Any) -> Browser:
    browser = Browser(web_app)
    assert browser.sign_in(world.user(name, role, **options)).status_code == 302
    return browser


def _feed_path(browser: Browser, page: str = "/account") -> str:
    found = _URL.search(browser.get(page).text)
    assert found is not None
    return found.group(1)


def test_a_counselor_makes_finds_and_revokes_their_feed(web_app: Flask, world: Any) -> None:
    wang = _signed_in(web_app, world, "wang", "counselor", counselor="wang-li")
    assert "data-feed-url" not in wang.get("/account").text
    assert wang.post("/account/feed", {}, token_from="/account").status_code == 302
    path = _feed_path(wang)
    assert _feed_path(wang) == path  # found again on the account page, the same URL
    stranger = web_app.test_client()  # no session: the URL is the credential
    feed = stranger.get(path)
    assert feed.status_code == 200
    assert feed.mimetype == "text/calendar"
    assert "BEGIN:VCALENDAR" in feed.text
    assert "王丽" in feed.text
    assert "+86139" not in feed.text  # staff phones never in a feed
    assert "private" in feed.headers["Cache-Control"]
    etag = feed.headers["ETag"]
    assert etag
    again = stranger.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert wang.post("/account/feed/revoke", {}, token_from="/account").status_code == 302
    assert stranger.get(path).status_code == 404  # revoked: at once
    assert stranger.get("/feeds/" + "x" * 32 + ".ics").status_code == 404
    with world.database.read() as db:
        actions = db.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("feed.%"))
        ).all()
        row = db.scalars(select(CalendarFeed)).one()
        assert row.digest not in path  # only a digest is kept
        assert len(row.digest) == 64
    assert list(actions) == ["feed.add", "feed.revoke"]


def test_a_new_url_kills_the_old_one(web_app: Flask, world: Any) -> None:
    wang = _signed_in(web_app, world, "wang", "counselor", counselor="wang-li")
    wang.post("/account/feed", {}, token_from="/account")
    old = _feed_path(wang)
    wang.post("/account/feed", {}, token_from="/account")
    new = _feed_path(wang)
    assert new != old
    client = web_app.test_client()
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_a_counselor_cannot_make_anothers_feed(web_app: Flask, world: Any) -> None:
    wang = _signed_in(web_app, world, "wang", "counselor", counselor="wang-li")
    made = wang.post("/account/feed", {"counselor": "li-na", "counselor_id": "2"},
                     token_from="/account")  # fmt: skip
    assert made.status_code == 302
    with world.database.read() as db:
        owner = db.scalar(
            select(Counselor.key).join(CalendarFeed, CalendarFeed.counselor_id == Counselor.id)
        )
    assert owner == "wang-li"  # the request names nobody: always the signed-in counselor's
    operator = _signed_in(web_app, world, "op", "operator")
    assert operator.post("/account/feed", {}, token_from="/account").status_code == 403
    assert wang.get("/rota/feeds").status_code == 403


def test_an_operator_makes_a_line_feed_without_phone_numbers(web_app: Flask, world: Any) -> None:
    operator = _signed_in(web_app, world, "op", "operator")
    made = operator.post("/rota/feeds", {"line": "city", "action": "make"})
    assert made.status_code == 302
    path = _feed_path(operator, "/rota/feeds")
    feed = web_app.test_client().get(path)
    assert feed.status_code == 200
    assert "李娜" in feed.text
    assert "王丽" in feed.text
    assert "+86" not in feed.text
    operator.post("/rota/feeds", {"line": "city", "action": "revoke"})
    assert web_app.test_client().get(path).status_code == 404
    with world.database.read() as db:
        targets = db.scalars(
            select(AuditEntry.target).where(AuditEntry.action.like("feed.%"))
        ).all()
    assert list(targets) == ["line:city", "line:city"]
