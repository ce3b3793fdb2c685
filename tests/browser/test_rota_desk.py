"""The rota desk in Chromium: an override previewed (a broken rule shown before saving) and
saved; the live board redrawn when a call rings; the new pages at 390 px in both languages."""

from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, update

from hotline import clock
from hotline.models import Call, Counselor, Hotline, RotaOverride
from tests.browser.service import Service
from tests.browser.steps import NARROW, People, overflow, submit

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _next_tuesday() -> str:
    today = clock.now().astimezone(SHANGHAI).date()
    return (today + timedelta(days=(1 - today.weekday()) % 7 or 7)).isoformat()


def test_an_operator_previews_an_override_sees_the_rule_it_breaks_then_saves_it(
    service: Service, people: People
) -> None:
    page = people.page("operator", locale="en")
    page.goto("/rota/calendar?line=city")
    submit(page, page.locator("a[href^='/rota/override']").first)
    tuesday = _next_tuesday()
    # The psychiatrist's evening (tier 2) handed to a counselor: no psychiatrist on duty.
    page.locator("select[name=tier]").select_option("2")
    page.locator("input[name=start]").fill(f"{tuesday}T18:00")
    page.locator("input[name=end]").fill(f"{tuesday}T22:00")
    page.locator("input[name=counselors][value='wang-li']").check()
    submit(page, page.locator("button[value=preview]"))
    preview = page.locator("[data-preview]")
    expect(preview).to_be_visible()
    expect(preview.locator("[data-rule='qualified'][data-breaks]")).to_have_count(1)
    expect(preview.locator("[data-change=on]")).to_contain_text("王丽")
    with service.database.read() as db:
        assert (
            db.scalar(select(RotaOverride.id).where(RotaOverride.start == f"{tuesday}T18:00"))
            is None
        )
    submit(page, page.locator("button[value=save]"))
    expect(page.locator("main .notice")).to_contain_text("new version")
    with service.database.read() as db:
        saved = db.scalar(
            select(RotaOverride.counselors).where(RotaOverride.start == f"{tuesday}T18:00")
        )
    assert saved == ["wang-li"]
    day = page.locator(f"[data-day='{tuesday}']")
    expect(day.locator("[data-rule='qualified']").first).to_be_visible()


def test_the_board_changes_when_a_call_rings(service: Service, people: People) -> None:
    page = people.page("operator", locale="en")
    page.goto("/board?line=city")
    city = page.locator("[data-line='city']")
    expect(city.locator(".board-calls .empty")).to_be_visible()
    with (
        service.database.write() as db
    ):  # a call rings: routing's record and lease, as it leaves them
        line = db.scalar(select(Hotline.id).where(Hotline.key == "city"))
        on_duty = db.scalars(select(Counselor.key)).first()
        sid, until = "CAboardringing", clock.now() + timedelta(seconds=35)
        db.add(Call(call_sid=sid, hotline_id=line, caller="withheld", arrived_at=clock.now(),
                    status="ringing", result="routing", plan=[]))  # fmt: skip
        leased = update(Counselor).where(Counselor.key == on_duty)
        db.execute(leased.values(busy_call_sid=sid, busy_until=until))
    try:
        expect(city.locator(".board-calls .call-ringing")).to_have_count(1, timeout=15_000)
        expect(page.locator("main")).not_to_contain_text("CAboardringing")
    finally:
        with service.database.write() as db:
            db.execute(update(Call).where(Call.call_sid == "CAboardringing").values(
                ended_at=clock.now(), result="abandoned"))  # fmt: skip


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_the_rota_desk_pages_fit_a_390_px_screen(
    locale: str, service: Service, people: People
) -> None:
    page = people.page("operator", locale=locale, viewport=NARROW)
    pages = ("/board", "/rota", "/rota/calendar?line=city", "/rota/calendar?line=city&view=week",
             "/rota/override?line=city", "/rota/leave?line=city")  # fmt: skip
    for path in pages:
        response = page.goto(path)
        assert response is not None, path
        assert response.status == 200, path
        assert overflow(page) is None, f"{path}: {overflow(page)}"
    admin = people.page("admin", locale=locale, viewport=NARROW)
    admin.goto("/board/screens")
    assert overflow(admin) is None
    assert re.search("看板|screen", admin.content())
