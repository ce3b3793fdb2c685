"""The statistics page: every linked count opens a call log of that many calls; bad questions
are said on the page; operators count without links; reads are audited."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from hotline.models import AuditEntry, Hotline
from tests.hotline.records.statistics_world import busy_week
from tests.hotline.web.browser import Browser

DECEMBER = "start=2026-12-01&end=2026-12-10"
COUNT_LINK = re.compile(r'<a href="(/calls\?[^"]+)" class="count">(\d+)</a>')
ROW = re.compile(r'<td><a href="/calls/\d+">')


def signed_in(app: Flask, world: Any, name: str, role: str, **options: Any) -> Browser:
    browser = Browser(app, **{"Accept-Language": options.pop("language", "en")})
    browser.sign_in(world.user(name, role, **options))
    return browser


def test_every_count_on_the_page_opens_a_call_log_of_that_many_calls(
    web_app: Flask, world: Any
) -> None:
    busy_week(world)
    sue = signed_in(web_app, world, "sue", "supervisor")

    page = sue.get(f"/statistics?{DECEMBER}")

    assert page.status_code == 200
    links = COUNT_LINK.findall(page.text)
    assert len(links) > 60
    wrong = {}
    for url, shown in links:
        listed = sue.get(html.unescape(url))
        assert listed.status_code == 200, url
        if len(ROW.findall(listed.text)) != int(shown):
            wrong[url] = (shown, len(ROW.findall(listed.text)))
    assert wrong == {}


def test_a_line_outside_ones_scope_or_a_reversed_range_is_said_not_failed(
    web_app: Flask, world: Any
) -> None:
    with world.database.read() as reading:
        assert reading.scalar(select(Hotline.id).where(Hotline.key == "school"))
    tom = signed_in(web_app, world, "tom", "supervisor", hotlines=("school",))

    reversed_days = tom.get("/statistics?start=2026-12-09&end=2026-12-01")
    too_long = tom.get("/statistics?start=2019-01-01&end=2026-12-01")
    elsewhere = tom.get(f"/statistics?{DECEMBER}&lines=city")
    nonsense = tom.get("/statistics?start=yesterday")

    assert reversed_days.status_code == 400
    assert "The range ends before it starts." in reversed_days.text
    assert "The range is longer than 5 years." in too_long.text
    assert elsewhere.status_code == 400
    assert "Check the filters" in elsewhere.text
    assert nonsense.status_code == 400
    assert 'role="alert"' in nonsense.text


def test_an_operator_counts_without_links_and_a_counselor_is_refused(
    web_app: Flask, world: Any
) -> None:
    busy_week(world)
    olga = signed_in(web_app, world, "olga", "operator")
    wang = signed_in(web_app, world, "wang", "counselor", counselor="wang-li")

    page = olga.get(f"/statistics?{DECEMBER}")

    assert page.status_code == 200
    assert COUNT_LINK.findall(page.text) == []
    assert 'data-figure="calls"' in page.text
    assert wang.get("/statistics").status_code == 403


def test_reading_the_page_is_audited_with_its_question(web_app: Flask, world: Any) -> None:
    sue = signed_in(web_app, world, "sue", "supervisor")

    assert sue.get(f"/statistics?{DECEMBER}&lines=school&bucket=week").status_code == 200

    with world.database.read() as reading:
        entry = reading.execute(
            select(AuditEntry.actor, AuditEntry.detail).where(AuditEntry.action == "stats.read")
        ).one()
    assert entry.actor == "sue"
    assert entry.detail == {"lines": ["school"], "from": "2026-12-01", "to": "2026-12-10"}


@pytest.mark.parametrize("bucket", ["day", "week", "month"])
def test_the_page_reads_in_chinese_with_its_charts_scripts_served_locally(
    web_app: Flask, world: Any, bucket: str
) -> None:
    busy_week(world)
    lin = signed_in(web_app, world, "lin", "supervisor", language="zh-CN")

    page = lin.get(f"/statistics?{DECEMBER}&bucket={bucket}")

    assert page.status_code == 200
    assert "来电趋势" in page.text
    assert "咨询师接听" in page.text
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    assert scripts == ["/static/vendor/chartjs/chart.umd.min.js", "/static/statistics.js"]
    for script in scripts:
        served = lin.get(script)
        served.close()  # a file response: closed, or pytest warns of an open file
        assert served.status_code == 200
    assert "<script>" not in page.text
    assert "style=" not in page.text
