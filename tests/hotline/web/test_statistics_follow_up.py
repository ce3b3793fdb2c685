"""Follow-up care on the statistics page: counts of the viewer's lines only, never linked."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask

from tests.hotline.records.follow_up_world import some_follow_up
from tests.hotline.web.browser import Browser

DECEMBER = "start=2026-12-01&end=2026-12-10"
SECTION = re.compile(r'<section aria-labelledby="follow-up">.*?</section>', re.S)


def signed_in(app: Flask, world: Any, name: str, role: str, **options: Any) -> Browser:
    browser = Browser(app, **{"Accept-Language": options.pop("language", "en")})
    browser.sign_in(world.user(name, role, **options))
    return browser


def follow_up(page: str) -> dict[str, dict[str, int]]:
    """The section's counts: {table: {row: n}}."""
    found: dict[str, dict[str, int]] = {}
    section = SECTION.search(page)
    assert section is not None
    for table, body in re.findall(r'data-follow-up="([^"]+)"(.*?)</table>', section.group(), re.S):
        rows = re.findall(r'data-(?:appointments|referrals)="([^"]+)">.*?data-value="(\d+)"', body)
        found[table] = {row: int(n) for row, n in rows}
    return found


def test_the_page_counts_bookings_and_referrals_of_ones_lines_only_without_links(
    web_app: Flask, world: Any
) -> None:
    some_follow_up(world)
    sue = signed_in(web_app, world, "sue", "supervisor")
    tom = signed_in(web_app, world, "tom", "supervisor", hotlines=("school",))

    every = sue.get(f"/statistics?{DECEMBER}")
    school = tom.get(f"/statistics?{DECEMBER}")

    assert every.status_code == school.status_code == 200
    assert follow_up(every.text)["appointments"] == {
        "booked": 7,
        "attended": 2,
        "missed": 2,
        "cancelled": 1,
        "open": 2,
    }
    assert follow_up(every.text)["urgency"] == {"routine": 1, "72h": 2, "today": 1}
    assert follow_up(school.text) == {
        "appointments": {"booked": 2, "attended": 0, "missed": 1, "cancelled": 0, "open": 1},
        "partner": {"kangning": 1},
        "urgency": {"routine": 1, "72h": 0, "today": 0},
        "result": {
            "proposed": 1,
            "sent": 0,
            "accepted": 0,
            "attended": 0,
            "declined": 0,
            "lost": 0,
        },
    }
    assert "宁波市康宁医院" in SECTION.search(school.text).group()  # type: ignore[union-attr]
    assert "<a " not in SECTION.search(every.text).group()  # type: ignore[union-attr]


def test_the_follow_up_tables_read_in_chinese(web_app: Flask, world: Any) -> None:
    some_follow_up(world)
    lin = signed_in(web_app, world, "lin", "supervisor", language="zh-CN")

    page = lin.get(f"/statistics?{DECEMBER}")

    section = SECTION.search(page.text)
    assert section is not None
    for words in ("面谈预约", "未到", "按紧急程度的转介", "转介被拒", "72 小时内"):
        assert words in section.group()
