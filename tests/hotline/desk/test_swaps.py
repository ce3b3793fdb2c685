"""Shift swaps: offered -> accepted -> approved (an override through the desk's writer, a new
version, audited, texts queued); declined, withdrawn, expired; the refusals; a line that
approves swaps breaking no rule at once."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from flask import Flask
from sqlalchemy import delete, select, update

from hotline.clock import now
from hotline.config.exporter import export_configuration
from hotline.config.importer import import_configuration
from hotline.models import (
    AuditEntry,
    Counselor,
    Hotline,
    OutboxMessage,
    RotaOverride,
    RotaPattern,
    ShiftSwap,
)
from tests.hotline.web.browser import Browser

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAYS = "[mon, tue, wed, thu, fri, sat, sun]"
# City: wang-li by day, li-na by night; he-fang is on the school line.
SHIFTS = f"""\
rota:
  - {{hotline: city, tier: 1, weekly: {{days: {DAYS}, start: "08:00", end: "20:00"}},
     counselors: [wang-li]}}
  - {{hotline: city, tier: 1, weekly: {{days: {DAYS}, start: "20:00", end: "08:00"}},
     counselors: [li-na]}}
  - {{hotline: school, tier: 1, weekly: {{days: {DAYS}, start: "00:00", end: "00:00"}},
     counselors: [he-fang]}}
"""


def _setup(world: Any) -> None:
    with world.database.write() as db:
        db.execute(delete(RotaPattern))  # the file's patterns merge with keyless ones: replace
        import_configuration(db, SHIFTS, now())


def _person(web_app: Flask, world: Any, name: str, role: str, **options: Any) -> Browser:
    browser = Browser(web_app)
    assert browser.sign_in(world.user(name, role, **options)).status_code == 302
    return browser


def _day_shift_start(days: int = 2) -> datetime:
    day = (now().astimezone(SHANGHAI) + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, 8, tzinfo=SHANGHAI).astimezone(ZoneInfo("UTC"))


def _offer(browser: Browser, start: datetime, to: str = "") -> Any:
    data = {"line": "city", "tier": "1", "start": start.isoformat(), "to": to}
    return browser.post("/swaps/offer", data, token_from="/account")


def _swap(world: Any) -> ShiftSwap:
    with world.database.read() as db:
        row: ShiftSwap | None = db.scalars(select(ShiftSwap).order_by(ShiftSwap.id.desc())).first()
        assert row is not None
        db.expunge(row)
        return row


def _notice(browser: Browser, page: str) -> list[str]:
    return re.findall(r'<p class="notice">([^<]*)</p>', browser.get(page).text)


def _people(web_app: Flask, world: Any) -> tuple[Browser, Browser, Browser]:
    _setup(world)
    wang = _person(web_app, world, "wang", "counselor", counselor="wang-li")
    he = _person(web_app, world, "he", "counselor", counselor="he-fang", email="he@example.org")
    operator = _person(web_app, world, "op", "operator", phone="+8613900000099")
    return wang, he, operator


def test_offered_accepted_approved_makes_an_override_and_tells_everyone(
    web_app: Flask, world: Any
) -> None:
    wang, he, operator = _people(web_app, world)
    start = _day_shift_start()
    page = wang.get("/swaps").text
    assert f'data-shift="city-1-{start.isoformat()}"' in page
    assert _offer(wang, start, to="he-fang").status_code == 302
    offered = _swap(world)
    assert (offered.state, offered.end - offered.start) == ("offered", timedelta(hours=12))
    assert f'data-swap="{offered.id}" data-state="offered"' in he.get("/swaps").text
    assert he.post(f"/swaps/{offered.id}/accept", {}, token_from="/account").status_code == 302
    assert _swap(world).state == "accepted"
    waiting = operator.get("/rota/swaps").text
    assert f'data-swap="{offered.id}"' in waiting
    assert 'data-change="on"' in waiting  # what approving would change, shown beforehand
    answer = operator.post(f"/rota/swaps/{offered.id}/approve", {}, token_from="/account")
    assert answer.status_code == 302
    done = _swap(world)
    assert (done.state, done.decided_by) == ("approved", "op")
    assert done.override_key
    assert done.override_key.startswith("desk-")
    wall = start.astimezone(SHANGHAI)
    with world.database.read() as db:
        override = db.scalars(select(RotaOverride)).one()
        assert override.counselors == ["he-fang"]
        assert override.start == wall.strftime("%Y-%m-%dT%H:%M")
        assert override.key == done.override_key
        actions = db.scalars(select(AuditEntry.action).where(AuditEntry.action.like("swap.%")))
        assert list(actions) == ["swap.offer", "swap.accept", "swap.approve"]
        kinds = {(m.kind, m.address) for m in db.scalars(select(OutboxMessage))}
        exported = export_configuration(db)
    assert ("swap-offered", "+8613900000011") in kinds  # he-fang, on the rota's phone
    assert ("swap-accepted", "+8613900000001") in kinds  # wang-li
    assert ("swap-to-approve", "+8613900000099") in kinds  # the operator
    assert ("swap-approved", "+8613900000001") in kinds
    assert ("swap-approved", "he@example.org") in kinds
    assert f"key: {done.override_key}" in exported  # the override round-trips


def test_the_offerer_withdraws_and_the_named_colleague_declines(web_app: Flask, world: Any) -> None:
    wang, he, _operator = _people(web_app, world)
    _offer(wang, _day_shift_start(), to="he-fang")
    first = _swap(world)
    wang.post(f"/swaps/{first.id}/withdraw", {}, token_from="/account")
    assert _swap(world).state == "withdrawn"
    assert he.post(f"/swaps/{first.id}/accept", {}, token_from="/account").status_code == 302
    assert _swap(world).state == "withdrawn"  # settled: nothing moves
    _offer(wang, _day_shift_start(), to="he-fang")  # offered again once the first is settled
    second = _swap(world)
    assert second.id != first.id
    he.post(f"/swaps/{second.id}/decline", {}, token_from="/account")
    assert _swap(world).state == "declined"
    with world.database.read() as db:
        kinds = set(db.scalars(select(OutboxMessage.kind)))
        assert db.scalar(select(RotaOverride.id)) is None
    assert {"swap-withdrawn", "swap-declined"} <= kinds


def test_the_refusals(web_app: Flask, world: Any) -> None:
    wang, he, _operator = _people(web_app, world)
    li = _person(web_app, world, "li", "counselor", counselor="li-na")
    # Not theirs: li-na has no day shift.
    assert _offer(li, _day_shift_start()).status_code == 302
    with world.database.read() as db:
        assert db.scalar(select(ShiftSwap.id)) is None
    # Started: a shift of the past.
    _offer(wang, _day_shift_start(days=-1))
    assert "started" in " ".join(_notice(wang, "/swaps"))
    # Offered twice.
    _offer(wang, _day_shift_start(), to="he-fang")
    _offer(wang, _day_shift_start(), to="he-fang")
    with world.database.read() as db:
        assert len(db.scalars(select(ShiftSwap.id)).all()) == 1
    swap = _swap(world)
    # Addressed to he-fang: li-na cannot take it.
    li.post(f"/swaps/{swap.id}/accept", {}, token_from="/account")
    assert _swap(world).state == "offered"
    # Not qualified: the shift relies on a psychiatrist he-fang is not.
    with world.database.write() as db:
        db.execute(update(Counselor).where(Counselor.key == "wang-li")
                   .values(qualifications=["psychiatrist"]))  # fmt: skip
    he.post(f"/swaps/{swap.id}/accept", {}, token_from="/account")
    assert _swap(world).state == "offered"
    assert "qualification" in " ".join(_notice(he, "/swaps"))
    # A counselor cannot approve; an operator of another line cannot either.
    assert he.post(f"/rota/swaps/{swap.id}/approve", {}, token_from="/account").status_code == 403


def test_a_taker_on_leave_is_refused(web_app: Flask, world: Any) -> None:
    wang, he, _operator = _people(web_app, world)
    start = _day_shift_start()
    wall = start.astimezone(SHANGHAI)
    with world.database.write() as db:
        leave = (f'leave:\n  - {{counselor: he-fang, start: "{wall:%Y-%m-%dT00:00}", '
                 f'end: "{wall:%Y-%m-%dT23:00}"}}\n')  # fmt: skip
        import_configuration(db, leave, now())
    _offer(wang, start, to="he-fang")
    swap = _swap(world)
    he.post(f"/swaps/{swap.id}/accept", {}, token_from="/account")
    assert _swap(world).state == "offered"
    assert "leave" in " ".join(_notice(he, "/swaps"))


def test_a_started_shift_expires(web_app: Flask, world: Any) -> None:
    wang, he, _operator = _people(web_app, world)
    _offer(wang, _day_shift_start(), to="he-fang")
    swap = _swap(world)
    with world.database.write() as db:  # time passes: the shift has started
        db.execute(update(ShiftSwap).values(start=now() - timedelta(minutes=1)))
    assert 'data-state="expired"' in wang.get("/swaps").text
    he.post(f"/swaps/{swap.id}/accept", {}, token_from="/account")
    assert _swap(world).state == "expired"
    with world.database.read() as db:
        assert db.scalar(select(AuditEntry.actor).where(AuditEntry.action == "swap.expire")) == (
            "system"
        )


def test_a_line_approves_at_once_a_swap_that_breaks_nothing(web_app: Flask, world: Any) -> None:
    wang, he, _operator = _people(web_app, world)
    with world.database.write() as db:
        db.execute(update(Hotline).where(Hotline.key == "city").values(auto_approve_swaps=True))
        exported = export_configuration(db)
    assert "auto_approve_swaps: true" in exported
    _offer(wang, _day_shift_start())  # to anyone qualified
    swap = _swap(world)
    assert f'data-swap="{swap.id}"' in he.get("/swaps").text  # listed for he-fang to take
    he.post(f"/swaps/{swap.id}/accept", {}, token_from="/account")
    done = _swap(world)
    assert (done.state, done.decided_by) == ("approved", "auto-approve")
    # A swap that breaks a rule waits for an operator.
    with world.database.write() as db:
        db.execute(update(Hotline).where(Hotline.key == "city")
                   .values(coverage_rules={"max_weekly_hours": 10}))  # fmt: skip
    _offer(wang, _day_shift_start(days=3))
    second = _swap(world)
    he.post(f"/swaps/{second.id}/accept", {}, token_from="/account")
    assert _swap(world).state == "accepted"


def test_the_setting_round_trips_through_import(world: Any) -> None:
    with world.database.write() as db:
        exported = export_configuration(db)
        assert "auto_approve_swaps" not in exported  # off: the default, not written
        document = yaml.safe_load(exported)
        document["hotlines"][0]["auto_approve_swaps"] = True
        import_configuration(db, yaml.safe_dump(document, allow_unicode=True), now())
        flags = dict(db.execute(select(Hotline.key, Hotline.auto_approve_swaps)).all())
        again = export_configuration(db)
    assert flags == {"city": True, "school": False}
    assert again.count("auto_approve_swaps: true") == 1
