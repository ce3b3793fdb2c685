"""Counselors and line settings in Chromium: every page at 390 px in both languages, and a
refused coverage rule said on the form (nothing saved)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hotline.models import Counselor, Hotline
from tests.browser.service import Service
from tests.browser.steps import NARROW, People, overflow, submit

PAGES = ("/rota/counselors", "/rota/counselors/new", "/rota/counselors/wang-li",
         "/rota/line-settings?line=city")  # fmt: skip


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
@pytest.mark.parametrize("who", ["operator", "admin"])
def test_the_counselor_and_line_settings_pages_fit_a_390_px_screen(
    who: str, locale: str, service: Service, people: People
) -> None:
    page = people.page(who, locale=locale, viewport=NARROW)
    for path in PAGES:
        response = page.goto(path)
        assert response is not None, path
        assert response.status == 200, path
        assert overflow(page) is None, f"{path}: {overflow(page)}"


def test_a_refused_coverage_rule_is_shown_on_the_form(service: Service, people: People) -> None:
    page = people.page("operator", locale="en")
    page.goto("/rota/line-settings?line=city")
    with service.database.read() as db:
        before = db.scalar(select(Hotline.coverage_rules).where(Hotline.key == "city"))
    page.locator("textarea[name=coverage_rules]").fill("min_rest_hours: 500\n")
    submit(page, page.locator("main form button[type=submit]"))
    expect(page.locator(".field.invalid")).to_contain_text("min_rest_hours")
    assert overflow(page) is None
    with service.database.read() as db:
        after = db.scalar(select(Hotline.coverage_rules).where(Hotline.key == "city"))
    assert after == before


def test_an_operator_adds_a_counselor_then_deactivates_them(
    service: Service, people: People
) -> None:
    page = people.page("operator", locale="en")
    page.goto("/rota/counselors/new")
    page.locator("input[name=key]").fill("browser-new")
    page.locator("input[name=name]").fill("Zhao Min")
    page.locator("input[name=phone]").fill("12345")
    submit(page, page.locator("main form button[type=submit]"))
    expect(page.locator(".field.invalid")).to_contain_text("not a valid phone number")
    page.locator("input[name=phone]").fill("139 0000 0099")
    submit(page, page.locator("main form button[type=submit]"))
    expect(page.locator("main h1")).to_contain_text("browser-new")
    submit(page, page.locator("button.secondary"))
    expect(page.locator("[data-inactive]")).to_be_visible()
    with service.database.read() as db:
        found = db.execute(
            select(Counselor.phone, Counselor.active).where(Counselor.key == "browser-new")
        ).one()
    assert tuple(found) == ("+8613900000099", False)
