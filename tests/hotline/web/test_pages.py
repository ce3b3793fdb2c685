"""The review desk's pages: headers, CSRF, IDOR, hostile input, languages, audit, export."""

from __future__ import annotations

import gettext
import importlib
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from hotline import deadline
from hotline.clock import now
from hotline.models import AuditEntry
from hotline.records.export import export_rows
from hotline.translations.build import CATALOG_DIR, extracted
from hotline.translations.zh_CN import ZH_CN
from tests.hotline.web.browser import Browser


def audit_trail(world: Any) -> list[tuple[str | None, str, str | None]]:
    with world.database.read() as reading:
        rows = reading.execute(
            select(AuditEntry.actor, AuditEntry.action, AuditEntry.target).order_by(AuditEntry.id)
        ).all()
    return [(a, b, c) for a, b, c in rows]


@pytest.fixture
def supervisor(web_app: Flask, world: Any) -> Browser:
    browser = Browser(web_app)
    browser.sign_in(world.user("sue", "supervisor", hotlines=("city",)))
    return browser


def test_every_page_carries_a_strict_csp_and_no_store(web_app: Flask, supervisor: Browser) -> None:
    for path in ("/login", "/calls", "/nowhere"):
        headers = supervisor.get(path).headers
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert "unsafe-inline" not in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Cache-Control"] == "no-store"
        assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_templates_hold_no_inline_script_or_style(web_app: Flask) -> None:
    import re
    from pathlib import Path

    for page in Path(web_app.root_path, "templates").glob("*.html"):
        content = page.read_text(encoding="utf-8")
        # A script file of our own origin (the statistics' charts) is allowed; inline is not.
        assert re.search(r"<script(?![^>]*\bsrc=)", content) is None, page.name
        assert "<style" not in content
        assert "style=" not in content


def test_a_post_without_or_with_a_foreign_csrf_token_is_refused(
    web_app: Flask, world: Any, supervisor: Browser
) -> None:
    other = Browser(web_app)
    foreign = other.get("/login").text.split('name="csrf_token" type="hidden" value="')[1][:40]
    for data in ({"format": "csv"}, {"format": "csv", "csrf_token": foreign}):
        assert supervisor.client.post("/calls/export", data=data).status_code == 400
    assert ("sue", "calls.export", None) not in audit_trail(world)


def test_another_lines_call_is_a_404_and_is_not_audited_as_seen(
    world: Any, supervisor: Browser
) -> None:
    theirs = world.call("school", now() - timedelta(hours=1), counselor="he-fang")
    mine = world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    assert supervisor.get(f"/calls/{theirs}").status_code == 404
    assert supervisor.get(f"/calls/{mine}").status_code == 200
    views = [t for _, action, t in audit_trail(world) if action == "calls.view"]
    assert views == [str(mine)]


def audit_details(world: Any, action: str) -> list[dict[str, Any]]:
    with world.database.read() as reading:
        found = reading.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == action).order_by(AuditEntry.id)
        ).all()
    return list(found)


def test_the_waiting_list_and_the_outcome_form_are_audited_as_views(
    web_app: Flask, world: Any
) -> None:
    mine = world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    theirs = world.call("city", now() - timedelta(hours=1), counselor="li-na")
    browser = Browser(web_app)
    browser.sign_in(world.user("wang", "counselor", counselor="wang-li"))
    assert browser.get("/outcomes").status_code == 200
    assert ("wang", "outcomes.list", None) in audit_trail(world)
    assert audit_details(world, "outcomes.list") == [{"calls": [mine]}]
    assert browser.get(f"/calls/{mine}/outcome").status_code == 200
    assert browser.get(f"/calls/{theirs}/outcome").status_code == 404
    views = [(a, t) for a, action, t in audit_trail(world) if action == "outcome.view"]
    assert views == [("wang", str(mine))]


def test_the_alerts_page_is_audited_with_the_calls_it_lists(
    web_app: Flask, world: Any, supervisor: Browser
) -> None:
    call_id = world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    counselor = Browser(web_app)
    counselor.sign_in(world.user("wang", "counselor", counselor="wang-li"))
    high = {"call_type": "counseling", "risk": "high", "partner": "", "caller_type": ""}
    answer = counselor.post(f"/calls/{call_id}/outcome", {**high, "age_band": "", "note": ""})
    assert answer.status_code == 302
    assert supervisor.get("/alerts").status_code == 200
    assert ("sue", "alerts.list", None) in audit_trail(world)
    assert audit_details(world, "alerts.list") == [{"calls": [call_id]}]


def test_a_counselor_cannot_open_the_outcome_form_of_someone_elses_call(
    web_app: Flask, world: Any
) -> None:
    other = world.call("city", now() - timedelta(hours=1), counselor="li-na")
    browser = Browser(web_app)
    browser.sign_in(world.user("wang", "counselor", counselor="wang-li"))
    assert browser.get(f"/calls/{other}/outcome").status_code == 404
    assert browser.get(f"/calls/{other}").status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "risk=id;--",
        "line=') OR 1=1 --",
        "start=2026-13-45",
        "page=-1",
        "result=%00",
        "call_type={{7*7}}",
    ],
)
def test_hostile_filters_are_refused_plainly_without_echo(supervisor: Browser, query: str) -> None:
    answer = supervisor.get(f"/calls?{query}")
    assert answer.status_code == 400
    assert "49" not in answer.text
    assert "OR 1=1" not in answer.text


def test_hostile_notes_are_stored_escaped_or_refused(web_app: Flask, world: Any) -> None:
    call_id = world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    browser = Browser(web_app)
    browser.sign_in(world.user("wang", "counselor", counselor="wang-li"))
    base = {
        "call_type": "counseling",
        "risk": "low",
        "partner": "",
        "caller_type": "",
        "age_band": "",
    }
    path = f"/calls/{call_id}/outcome"
    assert browser.post(path, {**base, "note": "a\x00b"}).status_code == 400
    assert browser.post(path, {**base, "note": "字" * 5000}).status_code == 400
    hostile = "<script>alert(1)</script> {{7*7}} '); DROP TABLE calls;-- \u202eevil"
    assert browser.post(path, {**base, "note": hostile}).status_code == 302
    admin = Browser(web_app)
    admin.sign_in(world.user("ada", "admin"))
    page = admin.get(f"/calls/{call_id}").text
    assert "&lt;script&gt;" in page
    assert "<script>alert" not in page
    assert "{{7*7}}" in page
    assert "\u202eevil" in page


def test_the_export_is_audited_and_formula_safe(
    web_app: Flask, world: Any, supervisor: Browser
) -> None:
    world.call("city", now() - timedelta(hours=1), counselor="wang-li", caller="=cmd|' /C calc'!A0")
    answer = supervisor.post("/calls/export?risk=", {"format": "csv"}, token_from="/calls")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert "'=cmd" in answer.text
    assert ("sue", "calls.export", None) in audit_trail(world)
    assert ("sue", "calls.list", None) in audit_trail(world)


def test_the_export_streams_under_a_deadline_of_its_own(
    web_app: Flask, world: Any, supervisor: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows are read after the request's own deadline has ended (while the client
    downloads): a stalled database must still not hold the stream for ever."""
    world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    left: list[float | None] = []

    def rows(*args: Any) -> Any:
        left.append(deadline.remaining())
        yield from export_rows(*args)

    pages = importlib.import_module("hotline.web.calls")  # the package names its blueprint so
    monkeypatch.setattr(pages, "export_rows", rows)
    answer = supervisor.post("/calls/export", {"format": "json"}, token_from="/calls")
    assert answer.status_code == 200
    assert answer.json
    assert len(left) == 1
    assert left[0] is not None
    assert deadline.EXPORT_BUDGET_S - 5 < left[0] <= deadline.EXPORT_BUDGET_S


def test_pages_speak_chinese_to_a_chinese_browser_and_english_otherwise(web_app: Flask) -> None:
    assert "登录" in Browser(web_app, **{"Accept-Language": "zh-CN,zh;q=0.9"}).get("/login").text
    assert "登录" in Browser(web_app, **{"Accept-Language": "zh"}).get("/login").text
    assert "Sign in" in Browser(web_app, **{"Accept-Language": "en-GB"}).get("/login").text


def test_a_saved_language_wins_over_the_browser(web_app: Flask, world: Any) -> None:
    browser = Browser(web_app, **{"Accept-Language": "en"})
    browser.sign_in(world.user("wang", "counselor", counselor="wang-li"))
    browser.post("/account/language", {"language": "zh_CN"}, token_from="/account")
    assert "待我填写结果" in browser.get("/outcomes").text


def test_every_text_has_a_translation_and_the_compiled_catalog_is_current() -> None:
    keys = [m if isinstance(m, str) else m[0] for m in extracted()]
    assert [k for k in keys if k not in ZH_CN] == []
    with (CATALOG_DIR / "messages.mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)
    for key in keys:
        expected = ZH_CN[key]
        found = (
            catalog.ngettext(key, key, 2) if isinstance(expected, tuple) else catalog.gettext(key)
        )
        assert found == (expected[0] if isinstance(expected, tuple) else expected), key


def test_an_error_page_is_generic(web_app: Flask, world: Any) -> None:
    from hotline.web.access import ROUTE_ROLES

    @web_app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret detail +8613800138000")

    ROUTE_ROLES["boom"] = frozenset({"supervisor"})
    try:
        browser = Browser(web_app)
        browser.sign_in(world.user("sue", "supervisor"))
        answer = browser.get("/boom?From=%2B8613800138000")
    finally:
        del ROUTE_ROLES["boom"]
    assert answer.status_code == 500
    assert "secret detail" not in answer.text
    assert "8613800138000" not in answer.text
    assert "Traceback" not in answer.text
