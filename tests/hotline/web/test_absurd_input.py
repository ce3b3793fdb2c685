"""Absurd ids and dates in URLs are a 404 or a 400, never an error page from the database."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.hotline.web.browser import Browser


@pytest.fixture
def supervisor(web_app: Flask, world: Any) -> Browser:
    browser = Browser(web_app)
    browser.sign_in(world.user("sue", "supervisor", hotlines=("city",)))
    return browser


@pytest.mark.parametrize(
    "path",
    [
        "/calls/99999999999999999999",
        "/calls/2147483648",
        "/calls/0",
        "/calls/99999999999999999999/outcome",
    ],
)
def test_an_id_no_record_can_have_is_a_404(supervisor: Browser, path: str) -> None:
    assert supervisor.get(path).status_code == 404


@pytest.mark.parametrize(
    "query",
    ["start=0001-01-01", "end=9999-12-31", "start=2026-02-30", "start=2026-01-01&page=0"],
)
def test_a_date_no_one_means_is_a_400(supervisor: Browser, query: str) -> None:
    assert supervisor.get(f"/calls?{query}").status_code == 400
