"""Deny by default: the access table covers every route, and each role reaches only its cells."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask, url_for

from hotline.clock import now
from hotline.web.access import API, PUBLIC, TWILIO, roles_for
from tests.hotline.web.browser import Browser

ROLES = ["admin", "operator", "supervisor", "counselor"]


def routes(app: Flask, call_id: int) -> list[tuple[str, str, str]]:
    """(endpoint, method, path) of every people's route (Twilio's are signed, the API's take
    bearer tokens: neither has sessions)."""
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if roles_for(rule.endpoint) in (TWILIO, API) or rule.endpoint == "static":
                continue
            args: dict[str, Any] = {name: call_id for name in rule.arguments}
            method = "GET" if "GET" in (rule.methods or ()) else "POST"
            found.append((rule.endpoint, method, url_for(rule.endpoint, **args)))
    return found


def test_every_route_of_the_app_is_in_the_access_table(web_app: Flask) -> None:
    missing = [r.endpoint for r in web_app.url_map.iter_rules() if roles_for(r.endpoint) is None]
    assert missing == []


def test_a_stranger_is_sent_to_sign_in_everywhere_but_the_public_pages(
    web_app: Flask, world: Any
) -> None:
    call_id = world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    stranger = Browser(web_app)
    for endpoint, method, path in routes(web_app, call_id):
        answer = stranger.client.open(path, method=method)
        if roles_for(endpoint) == PUBLIC:
            # A page, a redirect, a refused token on a bare POST, or a dead one-time link.
            assert answer.status_code in (200, 302, 400, 404), endpoint
        elif method == "GET":
            assert answer.status_code == 302, endpoint
            assert answer.location.startswith("/login?next="), endpoint
        else:
            assert answer.status_code == 401, endpoint


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_exactly_the_pages_the_table_gives_it(
    web_app: Flask, world: Any, role: str
) -> None:
    options = {"counselor": "wang-li"} if role == "counselor" else {}
    user = world.user(f"user-{role}", role, **options)
    call_id = world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    browser = Browser(web_app)
    assert browser.sign_in(user).status_code == 302
    for endpoint, method, path in routes(web_app, call_id):
        answer = browser.client.open(path, method=method)
        allowed = roles_for(endpoint)
        assert allowed is not None
        if allowed == PUBLIC:
            continue
        if role in allowed:
            # Reached: a page, a redirect inside the app, or a refused token on a bare POST;
            # an account page answers 404 for one's own account (changed elsewhere), a student
            # case's page for a case id that names no case of the reader's school lines.
            not_found_too = endpoint.startswith(("admin.", "cases."))
            reached = (200, 302, 400, 404) if not_found_too else (200, 302, 400)
            assert answer.status_code in reached, (endpoint, answer.status_code)
            assert answer.location != "/login", endpoint
        else:
            assert answer.status_code == 403, (endpoint, answer.status_code)
