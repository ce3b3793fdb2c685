"""The counselor's start page shows the shifts to confirm, each confirmed with one click."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from hotline.clock import now
from hotline.config.importer import import_configuration
from hotline.jobs.env import JobEnv
from hotline.jobs.shift_confirmations import shift_confirmations
from hotline.models import AuditEntry, Counselor, Hotline, ShiftConfirmation
from hotline.outbound.port import Outbound
from hotline.web.i18n import local_time
from settings import Settings
from tests.conftest import RECORDS_CONFIG
from tests.hotline.web.browser import Browser

CITY = "慈溪市心理援助热线"


def asked(world: Any, counselor: str = "wang-li") -> ShiftConfirmation:
    """A city shift of `counselor` starting in 20 minutes, asked to be confirmed."""
    start = now().replace(microsecond=0) + timedelta(minutes=20)
    row = ShiftConfirmation(
        hotline_id=world.ids(Hotline, "city"),
        counselor_id=world.ids(Counselor, counselor),
        tier=1,
        start=start,
        end=start + timedelta(hours=8),
        asked_at=start - timedelta(minutes=30),
    )
    with world.database.write() as writing:
        writing.add(row)
        writing.flush()
        writing.expunge(row)
    return row


def stored(world: Any, row_id: int) -> ShiftConfirmation:
    with world.database.read() as reading:
        found: ShiftConfirmation | None = reading.get(ShiftConfirmation, row_id)
        assert found is not None
        reading.expunge(found)
        return found


def signed_in(web_app: Flask, world: Any, username: str, counselor: str) -> Browser:
    browser = Browser(web_app, **{"Accept-Language": "en"})
    assert (
        browser.sign_in(world.user(username, "counselor", counselor=counselor)).status_code == 302
    )
    return browser


@pytest.fixture
def wang(web_app: Flask, world: Any) -> Browser:
    return signed_in(web_app, world, "wang", "wang-li")


def test_a_counselor_confirms_a_shift_with_one_click_and_a_second_click_changes_nothing(
    world: Any, wang: Browser
) -> None:
    row = asked(world)
    assert wang.get("/").location == "/outcomes"  # the counselor's start page
    page = wang.get("/outcomes").text
    start = local_time(row.start, "Asia/Shanghai")
    assert f"Your shift on {CITY} starting {start}" in page
    path = f"/shifts/{row.id}/confirm"
    assert f'action="{path}"' in page

    answer = wang.post(path, {}, token_from="/outcomes")
    assert (answer.status_code, answer.location) == (302, "/outcomes")
    confirmed = stored(world, row.id)
    assert confirmed.confirmed_at is not None
    assert confirmed.confirmed_via == "web"
    page = wang.get("/outcomes").text
    assert f"Shift confirmed: {CITY}, starting {start}. Thank you." in page
    assert f'action="{path}"' not in page

    wang.post(path, {}, token_from="/account")
    assert stored(world, row.id).confirmed_at == confirmed.confirmed_at
    assert "already confirmed; nothing changed" in wang.get("/outcomes").text
    with world.database.read() as reading:
        audit = reading.execute(
            select(AuditEntry.actor, AuditEntry.target).where(AuditEntry.action == "shift.confirm")
        ).all()
    assert [tuple(entry) for entry in audit] == [("wang", str(row.id))] * 2


def test_the_start_page_is_in_chinese_for_a_chinese_speaking_counselor(
    web_app: Flask, world: Any
) -> None:
    row = asked(world)
    browser = Browser(web_app, **{"Accept-Language": "zh-CN"})
    browser.sign_in(world.user("wang", "counselor", counselor="wang-li"))
    page = browser.get("/outcomes").text
    assert f"您在 {CITY} 于 {local_time(row.start, 'Asia/Shanghai')} 开始的值班" in page


def test_confirming_needs_the_csrf_token(world: Any, wang: Browser) -> None:
    row = asked(world)
    assert wang.client.post(f"/shifts/{row.id}/confirm", data={}).status_code == 400
    assert stored(world, row.id).confirmed_at is None


def test_a_counselor_cannot_confirm_a_colleagues_shift_nor_see_it(
    web_app: Flask, world: Any
) -> None:
    row = asked(world, "li-na")
    wang = signed_in(web_app, world, "wang", "wang-li")
    assert f"/shifts/{row.id}/confirm" not in wang.get("/outcomes").text
    answer = wang.post(f"/shifts/{row.id}/confirm", {}, token_from="/account")
    assert answer.status_code == 302
    assert stored(world, row.id).confirmed_at is None
    assert "This shift can no longer be confirmed." in wang.get("/outcomes").text


@pytest.mark.parametrize("role", ["operator", "supervisor", "admin"])
def test_only_a_counselor_confirms_shifts(web_app: Flask, world: Any, role: str) -> None:
    row = asked(world)
    browser = Browser(web_app)
    browser.sign_in(world.user(f"someone-{role}", role))
    answer = browser.client.post(f"/shifts/{row.id}/confirm", data={})
    assert answer.status_code == 403
    assert stored(world, row.id).confirmed_at is None


def test_a_shift_the_job_asks_about_is_confirmed_on_the_start_page_and_nobody_is_told(
    world: Any, wang: Browser, settings: Settings
) -> None:
    # Wang Li backs up the school line (tier 2) from 20 minutes from now: an override.
    start = now().replace(second=0, microsecond=0) + timedelta(minutes=20)
    local = start.astimezone(ZoneInfo("Europe/London"))
    window = f'start: "{local:%Y-%m-%dT%H:%M}", end: "{local + timedelta(hours=4):%Y-%m-%dT%H:%M}"'
    backup = f"overrides:\n  - {{hotline: school, tier: 2, {window}, counselors: [wang-li]}}\n"
    with world.database.write() as writing:
        import_configuration(writing, RECORDS_CONFIG + backup, start - timedelta(hours=1))
    env = JobEnv(world.database, settings, Outbound(None, None, record=True))
    assert shift_confirmations(env, start - timedelta(minutes=25))["asked"] == 1
    page = wang.get("/outcomes").text
    assert f"Your shift on Sunshine School Line starting {local:%Y-%m-%d %H:%M}" in page
    [path] = re.findall(r'action="(/shifts/[0-9]+/confirm)"', page)
    assert wang.post(path, {}, token_from="/outcomes").status_code == 302
    later = shift_confirmations(env, start + timedelta(minutes=20))
    assert (later["escalated"], later["settled"], later["queued"]) == (0, 0, 0)
