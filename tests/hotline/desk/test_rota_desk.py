"""The calendar and edits with a preview: an override previewed (its gaps and broken rules shown)
then saved as a new version through the import, audited; the past never changes."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask
from sqlalchemy import select

from hotline.clock import now
from hotline.config.exporter import export_configuration
from hotline.config.importer import import_configuration
from hotline.models import AuditEntry, Hotline, RotaOverride, RotaVersion
from tests.hotline.web.browser import Browser

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _operator(web_app: Flask, world: Any) -> Browser:
    browser = Browser(web_app)
    assert browser.sign_in(world.user("desk-op", "operator")).status_code == 302
    return browser


def _tomorrow(hour: int) -> str:
    day = (now().astimezone(SHANGHAI) + timedelta(days=1)).date()
    return f"{day.isoformat()}T{hour:02d}:00"


def _override(start: str, end: str, *names: str, action: str = "preview") -> dict[str, Any]:
    return {"tier": "1", "start": start, "end": end, "counselors": list(names), "action": action}


def test_the_month_shows_each_day_with_its_tiers_and_the_week_seven_days(
    web_app: Flask, world: Any
) -> None:
    browser = _operator(web_app, world)
    month = browser.get("/rota/calendar?line=city&day=2026-03-10")
    assert month.status_code == 200
    assert month.text.count('data-day="2026-03-') == 31
    assert 'data-counselor="wang-li"' in month.text
    week = browser.get("/rota/calendar?line=city&view=week&day=2026-03-10")
    assert week.text.count("data-day=") == 7
    assert 'data-day="2026-03-09"' in week.text


def test_an_unknown_line_leads_back_to_the_list_of_lines(web_app: Flask, world: Any) -> None:
    answer = _operator(web_app, world).get("/rota/calendar?line=nowhere")
    assert answer.status_code == 302
    assert answer.location == "/rota"


def test_the_preview_says_whose_duty_changes_and_writes_nothing(web_app: Flask, world: Any) -> None:
    browser = _operator(web_app, world)
    start, end = _tomorrow(8), _tomorrow(12)
    shown = browser.post("/rota/override?line=city", _override(start, end, "he-fang"),
                         token_from="/rota/override?line=city")  # fmt: skip
    assert shown.status_code == 200
    assert "data-preview" in shown.text
    assert shown.text.count('data-change="off"') == 2  # wang-li and li-na, 08:00-12:00
    assert shown.text.count('data-change="on"') == 1  # he-fang
    assert 'value="save"' in shown.text
    with world.database.read() as db:
        assert db.scalar(select(RotaOverride.id)) is None  # the preview wrote nothing


def test_saving_an_override_makes_a_new_version_and_is_audited(web_app: Flask, world: Any) -> None:
    browser = _operator(web_app, world)
    start, end = _tomorrow(8), _tomorrow(12)
    with world.database.read() as db:
        versions = len(db.scalars(select(RotaVersion.id)).all())
    saved = browser.post("/rota/override?line=city", _override(start, end, "he-fang",
                         action="save"), token_from="/rota/override?line=city")  # fmt: skip
    assert saved.status_code == 302
    with world.database.read() as db:
        rows = db.scalars(select(RotaOverride)).all()
        assert [(r.start, r.end, r.counselors) for r in rows] == [(start, end, ["he-fang"])]
        key = rows[0].key
        assert key
        assert key.startswith("desk-")
        assert len(db.scalars(select(RotaVersion.id)).all()) == versions + 1
        audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "rota.edit")).one()
        assert audit.actor == "desk-op"
        assert audit.target == "city"
        exported = export_configuration(db)
    assert f"key: {key}" in exported


def test_a_rule_broken_by_an_edit_is_shown_in_the_preview(web_app: Flask, world: Any) -> None:
    browser = _operator(web_app, world)
    with world.database.write() as db:
        line = db.scalars(select(Hotline).where(Hotline.key == "city")).one()
        line.coverage_rules = {"tier1_staffed": True}
    start, end = _tomorrow(8), _tomorrow(12)
    leave = browser.post(
        "/rota/leave?line=city",
        {"counselor": "wang-li", "start": start, "end": end, "action": "preview"},
        token_from="/rota/leave?line=city",
    )
    assert leave.status_code == 200, leave.text
    assert leave.text.count('data-change="off"') == 1  # wang-li only: li-na stays on
    assert "data-breaks" not in leave.text
    covered = browser.post("/rota/override?line=city", _override(start, end, "he-fang"),
                           token_from="/rota/override?line=city")  # fmt: skip
    assert "data-breaks" not in covered.text  # he-fang covers tier 1: no gap, no broken rule
    with world.database.write() as db:  # he-fang is on leave then: the override leaves nobody
        text = f'leave:\n  - {{counselor: he-fang, start: "{start}", end: "{end}"}}\n'
        import_configuration(db, text, now())
    empty = browser.post("/rota/override?line=city", _override(start, end, "he-fang"),
                         token_from="/rota/override?line=city")  # fmt: skip
    assert 'data-gap="opens"' in empty.text
    assert 'data-rule="tier-1-staffed" data-breaks' in empty.text


def test_a_form_error_is_said_on_the_field_and_nothing_is_written(
    web_app: Flask, world: Any
) -> None:
    browser = _operator(web_app, world)
    shown = browser.post("/rota/override?line=city", _override(_tomorrow(12), _tomorrow(8)),
                         token_from="/rota/override?line=city")  # fmt: skip
    assert shown.status_code == 400
    with world.database.read() as db:
        assert db.scalar(select(RotaOverride.id)) is None


def test_an_override_is_changed_and_removed_in_the_app(web_app: Flask, world: Any) -> None:
    browser = _operator(web_app, world)
    start, end = _tomorrow(8), _tomorrow(12)
    browser.post("/rota/override?line=city", _override(start, end, "he-fang", action="save"),
                 token_from="/rota/override?line=city")  # fmt: skip
    with world.database.read() as db:
        key = db.scalars(select(RotaOverride.key)).one()
    path = f"/rota/override?line=city&ref={key}"
    form = browser.get(path)
    assert f'value="{start}"' in form.text
    browser.post(path, _override(start, _tomorrow(14), "li-na", action="save"))
    with world.database.read() as db:
        rows = db.execute(select(RotaOverride.key, RotaOverride.end)).all()
    assert [(k, e) for k, e in rows] == [(key, _tomorrow(14))]
    browser.post(path, {**_override(start, _tomorrow(14), "li-na", action="save"), "remove": "1"})
    with world.database.read() as db:
        assert db.scalar(select(RotaOverride.id)) is None


def test_a_scoped_operator_cannot_edit_another_lines_rota(web_app: Flask, world: Any) -> None:
    user = world.user("school-op", "operator", hotlines=("school",))
    browser = Browser(web_app)
    browser.sign_in(user)
    assert browser.get("/rota/override?line=city").location == "/rota"
    assert browser.get("/rota/calendar?line=city").location == "/rota"
    assert browser.get("/rota/calendar?line=school").status_code == 200


def test_the_past_keeps_its_answer_after_an_edit(web_app: Flask, world: Any) -> None:
    """An override from yesterday to tomorrow changes only what is still to come."""
    browser = _operator(web_app, world)
    local_now = now().astimezone(SHANGHAI)
    yesterday = (local_now - timedelta(days=1)).date().isoformat()
    today = local_now.date().isoformat()
    browser.post(
        "/rota/override?line=city",
        _override(f"{yesterday}T00:00", _tomorrow(0), "he-fang", action="save"),
        token_from="/rota/override?line=city",
    )
    week = browser.get(f"/rota/calendar?line=city&view=week&day={yesterday}").text
    days = dict(re.findall(r'data-day="([0-9-]+)">(.*?)</section>', week, re.S))
    if yesterday in days:  # (a Monday's yesterday is last week's page)
        assert 'data-counselor="he-fang"' not in days[yesterday]
        assert 'data-counselor="wang-li"' in days[yesterday]
    assert 'data-counselor="he-fang"' in days[today]
    if local_now.hour or local_now.minute:  # today before the save: as it was
        assert 'data-counselor="wang-li"' in days[today]
