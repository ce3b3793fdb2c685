"""Counselors and line settings managed in the app: checked by the configuration import's own
schema (problems shown on the form), audited, scoped to the operator's lines, and exported then
imported back without a change."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from hotline.clock import now
from hotline.config.exporter import export_configuration
from hotline.config.importer import import_configuration
from hotline.models import AuditEntry, Counselor, Hotline
from hotline.routing.directory import LineDirectory
from tests.hotline.web.browser import Browser


def _signed_in(web_app: Flask, world: Any, name: str, role: str, **options: Any) -> Browser:
    browser = Browser(web_app)
    assert browser.sign_in(world.user(name, role, **options)).status_code == 302
    return browser


def _person(world: Any, key: str) -> Counselor:
    with world.database.read() as db:
        found: Counselor = db.scalars(select(Counselor).where(Counselor.key == key)).one()
        db.expunge(found)
    return found


def _line(world: Any, key: str) -> Hotline:
    with world.database.read() as db:
        found: Hotline = db.scalars(select(Hotline).where(Hotline.key == key)).one()
        db.expunge(found)
    return found


def _actions(world: Any) -> list[tuple[str, str | None, Any]]:
    with world.database.read() as db:
        rows = db.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        return [(r.action, r.target, r.detail) for r in rows if r.action.split(".")[0]
                in ("counselor", "line")]  # fmt: skip


def _round_trip_changes_nothing(world: Any) -> None:
    with world.database.write() as db:
        exported = export_configuration(db)
        summary = import_configuration(db, exported, now())
    assert summary.changed == []
    assert summary.difference.describe() == "no changes"


NEW = {"key": "zhao-min", "name": "赵敏", "phone": "139 0000 0021",
       "qualifications": "psychiatrist", "languages": "zh-CN, en"}  # fmt: skip


def test_an_operator_adds_a_counselor_with_a_national_phone_and_edits_them(
    web_app: Flask, world: Any
) -> None:
    browser = _signed_in(web_app, world, "desk-op", "operator")
    added = browser.post("/rota/counselors/new", NEW, token_from="/rota/counselors/new")
    assert added.status_code == 302, added.text
    person = _person(world, "zhao-min")
    assert person.phone == "+8613900000021"  # read in the first line's country, as export is
    assert person.qualifications == ["psychiatrist"]
    assert person.languages == ["zh-CN", "en"]
    listed = browser.get("/rota/counselors").text
    assert 'data-counselor="zhao-min"' in listed  # on no line yet: listed apart
    assert "+8613900000021" in listed
    form = browser.get("/rota/counselors/zhao-min")
    assert 'value="psychiatrist"' in form.text
    changed = browser.post("/rota/counselors/zhao-min",
                           {**NEW, "name": "赵敏敏", "phone": "+8613900000022"})  # fmt: skip
    assert changed.status_code == 302
    assert (_person(world, "zhao-min").name, _person(world, "zhao-min").phone) == (
        "赵敏敏",
        "+8613900000022",
    )
    actions = _actions(world)
    assert actions[0][:2] == ("counselor.add", "zhao-min")
    assert actions[1] == ("counselor.edit", "zhao-min", {"changed": ["name", "phone"]})
    with world.database.read() as db:
        assert "+8613900000022" not in str(db.scalars(select(AuditEntry.detail)).all())
    _round_trip_changes_nothing(world)


def test_a_bad_phone_or_a_lines_number_is_refused_on_the_field(web_app: Flask, world: Any) -> None:
    browser = _signed_in(web_app, world, "desk-op", "operator")
    bad = browser.post("/rota/counselors/new", {**NEW, "phone": "12345"},
                       token_from="/rota/counselors/new")  # fmt: skip
    assert bad.status_code == 400
    assert "not a valid phone number" in bad.text
    line = browser.post("/rota/counselors/wang-li", {**NEW, "phone": "+8657463898071"},
                        token_from="/rota/counselors/wang-li")  # fmt: skip
    assert line.status_code == 400
    assert "a line&#39;s number cannot be a counselor&#39;s" in line.text
    taken = browser.post("/rota/counselors/new", {**NEW, "key": "li-na"})
    assert taken.status_code == 400
    assert "duplicate key" in taken.text
    assert _person(world, "wang-li").phone == "+8613900000001"
    with world.database.read() as db:
        assert db.scalar(select(Counselor.id).where(Counselor.key == "zhao-min")) is None
    assert _actions(world) == []


def test_deactivating_and_reactivating_are_audited(web_app: Flask, world: Any) -> None:
    browser = _signed_in(web_app, world, "desk-admin", "admin")
    browser.get("/rota/counselors/li-na")
    off = browser.post("/rota/counselors/li-na/active", {"active": "0"},
                       token_from="/rota/counselors/li-na")  # fmt: skip
    assert off.status_code == 302
    assert _person(world, "li-na").active is False
    assert "data-inactive" in browser.get("/rota/counselors/li-na").text
    _round_trip_changes_nothing(world)
    browser.post("/rota/counselors/li-na/active", {"active": "1"},
                 token_from="/rota/counselors/li-na")  # fmt: skip
    assert _person(world, "li-na").active is True
    assert [a[:2] for a in _actions(world)] == [
        ("counselor.deactivate", "li-na"),
        ("counselor.reactivate", "li-na"),
    ]


def test_an_operator_of_another_line_and_a_counselor_are_refused(
    web_app: Flask, world: Any
) -> None:
    school = _signed_in(web_app, world, "school-op", "operator", hotlines=("school",))
    listed = school.get("/rota/counselors").text
    assert 'data-counselor="he-fang"' in listed  # on the school line's rota
    assert 'data-counselor="wang-li"' not in listed  # the city line's only
    assert "+8613900000001" not in listed
    assert school.get("/rota/counselors/wang-li").location == "/rota/counselors"
    assert school.get("/rota/counselors/he-fang").status_code == 200
    assert school.get("/rota/line-settings?line=city").location == "/rota"
    assert school.get("/rota/line-settings?line=school").status_code == 200
    refused = school.post("/rota/counselors/wang-li/active", {"active": "0"},
                          token_from="/rota/counselors/he-fang")  # fmt: skip
    assert refused.location == "/rota/counselors"
    assert _person(world, "wang-li").active is True
    counselor = _signed_in(web_app, world, "wang", "counselor",
                           counselor="wang-li")  # fmt: skip
    for path in ("/rota/counselors", "/rota/counselors/new", "/rota/counselors/wang-li",
                 "/rota/line-settings?line=city"):  # fmt: skip
        assert counselor.get(path).status_code == 403, path


SETTINGS = {
    "language": "zh-CN",
    "ring_seconds": "25",
    "max_wait_seconds": "300",
    "fallback_number": "0574 6389 8000",
    "closing_message": "请稍后再拨。",
    "alert_escalation_minutes": "15",
    "message_links": "",
    "auto_approve_swaps": "y",
    "service_hours": '- {days: [mon, tue, wed, thu, fri], start: "08:00", end: "20:00"}\n',
    "coverage_rules": 'tier1_staffed: true\nnight: {start: "22:00", end: "06:00"}\n',
}


def test_line_settings_are_saved_as_import_would_and_routing_sees_them(
    web_app: Flask, world: Any
) -> None:
    browser = _signed_in(web_app, world, "desk-op", "operator", hotlines=("city",))
    form = browser.get("/rota/line-settings?line=city")
    assert 'value="20"' in form.text
    data = {k: v for k, v in SETTINGS.items() if v}  # an unticked box is not sent
    saved = browser.post("/rota/line-settings?line=city", data,
                         token_from="/rota/line-settings?line=city")  # fmt: skip
    assert saved.status_code == 302, saved.text
    line = _line(world, "city")
    assert (line.ring_seconds, line.alert_escalation_minutes) == (25, 15)
    assert line.fallback_number == "+8657463898000"
    assert (line.message_links, line.auto_approve_swaps) == (False, True)
    assert line.service_hours == [{"days": ["mon", "tue", "wed", "thu", "fri"],
                                   "start": "08:00", "end": "20:00"}]  # fmt: skip
    assert line.coverage_rules == {"tier1_staffed": True,
                                   "night": {"start": "22:00", "end": "06:00"}}  # fmt: skip
    assert _line(world, "school").ring_seconds == 20  # the other line is as it was
    with world.database.read() as db:
        routed = LineDirectory(refresh_seconds=0).current(db).for_number("+8657463898070")
    assert routed is not None
    assert routed.ring_seconds == 25
    [(action, target, detail)] = _actions(world)
    assert (action, target) == ("line.settings", "city")
    assert detail["changed"]["ring_seconds"] == [20, 25]
    _round_trip_changes_nothing(world)
    again = browser.get("/rota/line-settings?line=city")
    assert "tier1_staffed: true" in again.text
    same = browser.post("/rota/line-settings?line=city", data)
    assert same.status_code == 302
    assert len(_actions(world)) == 1  # nothing changed: nothing audited


def test_a_bad_coverage_rule_or_ring_time_is_shown_and_nothing_is_saved(
    web_app: Flask, world: Any
) -> None:
    browser = _signed_in(web_app, world, "desk-admin", "admin")
    bad = {**SETTINGS, "ring_seconds": "2", "coverage_rules": "max_nights: 3\nmin_rest_hours: -1\n"}
    shown = browser.post("/rota/line-settings?line=city", bad,
                         token_from="/rota/line-settings?line=city")  # fmt: skip
    assert shown.status_code == 400
    assert "must be a whole number from 5 to 600" in shown.text
    assert "max_nights: unknown field" in shown.text
    assert "min_rest_hours: must be a number of hours" in shown.text
    unreadable = browser.post("/rota/line-settings?line=city",
                              {**SETTINGS, "service_hours": "- [unclosed"})  # fmt: skip
    assert unreadable.status_code == 400
    assert "Not readable as YAML" in unreadable.text
    hours = "- {days: [mon], start: 25:00, end: x}"
    clock = browser.post("/rota/line-settings?line=city", {**SETTINGS, "service_hours": hours})
    assert clock.status_code == 400
    assert "service_hours[0].start" in clock.text
    line = _line(world, "city")
    assert (line.ring_seconds, line.coverage_rules, line.service_hours) == (20, None, None)
    assert _actions(world) == []
