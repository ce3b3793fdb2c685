"""A test browser for the people's web app: CSRF tokens read from pages, sign-in with TOTP."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from hotline.accounts.totp import current_code
from hotline.clock import now

_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def token_of(html: str) -> str:
    found = _TOKEN.search(html)
    assert found is not None, "the page has no CSRF token"
    return found.group(1)


class Browser:
    def __init__(self, app: Flask, **headers: str) -> None:
        self.client: FlaskClient = app.test_client()
        self.headers = headers
        self.codes_used = 0

    def get(self, path: str, **kwargs: Any) -> TestResponse:
        return self.client.get(path, headers=self.headers, **kwargs)

    def post(
        self, path: str, data: dict[str, Any], *, token_from: str | None = None
    ) -> TestResponse:
        """POST `data` with the CSRF token of the page `token_from` (default: `path`)."""
        page = self.get(token_from or path)
        return self.client.post(
            path, data={**data, "csrf_token": token_of(page.text)}, headers=self.headers
        )

    def sign_in(self, user: dict[str, Any], password: str | None = None) -> TestResponse:
        answer = self.post(
            "/login", {"username": user["username"], "password": password or user["password"]}
        )
        if answer.status_code == 302 and answer.location.startswith("/login/totp"):
            # A fresh step each time: a code is accepted once only.
            self.codes_used += 1
            code = current_code(user["secret"], now() + timedelta(seconds=30 * self.codes_used))
            answer = self.post(answer.location, {"code": code})
        return answer
