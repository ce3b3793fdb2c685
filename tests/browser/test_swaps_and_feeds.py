"""Shift swaps in Chromium: a counselor offers a shift to a colleague, who takes it, and an
operator approves it after seeing what it changes; the new pages at 390 px in both languages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from hotline.models import RotaOverride, ShiftSwap
from tests.browser.service import Service
from tests.browser.steps import NARROW, People, overflow, submit


def test_a_swap_is_offered_accepted_and_approved(service: Service, people: People) -> None:
    wang = people.page("wang-li", locale="en")
    wang.goto("/swaps")
    shift = wang.locator("[data-shifts] li[data-shift^='city-1-']").first
    shift.locator("select[name=to]").select_option("zhang-wei")
    submit(wang, shift.locator("button[data-offer]"))
    expect(wang.locator("main .notice")).to_contain_text("offered")
    expect(wang.locator("[data-mine] li[data-state=offered]")).to_have_count(1)

    zhang = people.page("zhang-wei", locale="en")
    zhang.goto("/swaps")
    offer = zhang.locator("[data-offers] li[data-state=offered]")
    expect(offer).to_contain_text("王丽")
    submit(zhang, offer.locator("button[data-accept]"))
    expect(zhang.locator("main .notice")).to_contain_text("operator")

    operator = people.page("operator", locale="en")
    operator.goto("/rota/swaps")
    waiting = operator.locator("[data-approvals] li[data-swap]")
    expect(waiting).to_have_count(1)
    expect(waiting.locator("[data-change=on]")).to_contain_text("张伟")
    expect(waiting.locator("[data-change=off]")).to_contain_text("王丽")
    submit(operator, waiting.locator("button[data-approve]"))
    expect(operator.locator("main .notice")).to_contain_text("Approved")
    expect(operator.locator("[data-approvals] li[data-swap]")).to_have_count(0)
    with service.database.read() as db:
        swap = db.scalars(select(ShiftSwap)).one()
        state = swap.state
        override = db.scalar(
            select(RotaOverride.counselors).where(RotaOverride.key == swap.override_key)
        )
    assert state == "approved"
    assert override is not None
    assert "zhang-wei" in override
    assert "wang-li" not in override
    wang.goto("/swaps")
    expect(wang.locator("[data-mine] li[data-state=approved]")).to_have_count(1)


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_swap_and_feed_pages_fit_a_390_px_screen(
    locale: str, service: Service, people: People
) -> None:
    counselor = people.page("chen-jing", locale=locale, viewport=NARROW)
    counselor.goto("/account")
    submit(counselor, counselor.locator("button[data-feed-make]"))
    expect(counselor.locator("[data-feed-url]")).to_be_visible()
    for path in ("/account", "/swaps"):
        response = counselor.goto(path)
        assert response is not None
        assert response.status == 200, path
        assert overflow(counselor) is None, f"{path}: {overflow(counselor)}"
    operator = people.page("operator", locale=locale, viewport=NARROW)
    operator.goto("/rota/feeds")
    submit(operator, operator.locator("[data-line='city'] button[value=make]"))
    for path in ("/rota/feeds", "/rota/swaps"):
        response = operator.goto(path)
        assert response is not None
        assert response.status == 200, path
        assert overflow(operator) is None, f"{path}: {overflow(operator)}"
