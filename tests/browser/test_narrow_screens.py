"""Every page each role reaches by following links fits a phone's screen, 390 px wide: no page
scrolls sideways (a table may scroll inside its own box)."""

from __future__ import annotations

import pytest

from tests.browser.service import Demo, Service
from tests.browser.steps import NARROW, People, crawl


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
@pytest.mark.parametrize("role", ["counselor", "supervisor", "operator", "admin"])
def test_every_page_a_role_reaches_fits_a_390_px_wide_screen(
    role: str, locale: str, demo: Demo, service: Service, people: People
) -> None:
    username = demo.counselor if role == "counselor" else role
    page = people.page(username, locale=locale, viewport=NARROW)
    found = crawl(page, service.url)
    assert len(found) >= 3, f"too few pages found: {sorted(found)}"
    problems = [f"{url}: {why}" for url, why in found.items() if why is not None]
    assert not problems, "\n".join(problems)
