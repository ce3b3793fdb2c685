"""The statistics page's report download: supervisors and administrators, audited, CSRF-checked;
a bad period or a line outside one's scope is said on the page."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from hotline.models import AuditEntry
from tests.hotline.records.report_world import a_year_of_calls
from tests.hotline.web.browser import Browser


def signed_in(app: Flask, world: Any, name: str, role: str, **options: Any) -> Browser:
    browser = Browser(app, **{"Accept-Language": options.pop("language", "en")})
    browser.sign_in(world.user(name, role, **options))
    return browser


def test_a_supervisor_downloads_a_yearly_pdf_and_a_monthly_csv(web_app: Flask, world: Any) -> None:
    a_year_of_calls(world)
    sue = signed_in(web_app, world, "sue", "supervisor", language="zh-CN")

    page = sue.get("/statistics")
    pdf = sue.post(
        "/statistics/report",
        {"scope": "*", "period": "2026", "format": "pdf"},
        token_from="/statistics",
    )
    month = sue.post(
        "/statistics/report",
        {"scope": "city", "period": "2026-03", "format": "csv"},
        token_from="/statistics",
    )

    assert "statistics/report" in page.text
    assert pdf.status_code == 200
    assert pdf.data.startswith(b"%PDF-")
    assert 'filename="hotline-all-2026.pdf"' in pdf.headers["Content-Disposition"]
    assert month.status_code == 200
    assert "咨询师接听" in month.text
    with world.database.read() as reading:
        done = reading.scalars(select(AuditEntry).where(AuditEntry.action == "stats.report"))
        assert [entry.detail["period"] for entry in done] == ["2026", "2026-03"]


def test_a_bad_period_or_another_line_is_said_on_the_page(web_app: Flask, world: Any) -> None:
    tom = signed_in(web_app, world, "tom", "supervisor", hotlines=("school",))

    future = tom.post(
        "/statistics/report",
        {"scope": "school", "period": "2999", "format": "csv"},
        token_from="/statistics",
    )
    elsewhere = tom.post(
        "/statistics/report",
        {"scope": "*", "period": "2026", "format": "csv"},
        token_from="/statistics",
    )

    assert future.status_code == 400
    assert "already begun" in future.text
    assert elsewhere.status_code == 400
    assert "Check the report" in elsewhere.text


def test_operators_get_no_report(web_app: Flask, world: Any) -> None:
    olga = signed_in(web_app, world, "olga", "operator")

    assert "statistics/report" not in olga.get("/statistics").text
    refused = olga.post(
        "/statistics/report",
        {"scope": "*", "period": "2026", "format": "csv"},
        token_from="/account",
    )
    assert refused.status_code in (403, 404)
