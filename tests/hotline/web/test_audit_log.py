"""The audit trail: refused attempts at call records, the address of account changes, and the
administrator's audit page (filters, 100 entries a page, newest first)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import select

from hotline.clock import now
from hotline.models import AuditEntry
from hotline.records import audit
from tests.hotline.web.browser import Browser


def entries(world: Any, action: str) -> list[tuple[str | None, str | None, str | None, Any]]:
    with world.database.read() as reading:
        rows = reading.execute(
            select(AuditEntry.actor, AuditEntry.target, AuditEntry.source, AuditEntry.detail)
            .where(AuditEntry.action == action)
            .order_by(AuditEntry.id)
        ).all()
    return [(actor, target, source, detail) for actor, target, source, detail in rows]


def test_refused_attempts_at_call_records_are_audited_with_who_which_call_and_why(
    web_app: Flask, world: Any
) -> None:
    theirs = world.call("school", now() - timedelta(hours=1), counselor="he-fang")
    supervisor, operator, counselor = Browser(web_app), Browser(web_app), Browser(web_app)
    supervisor.sign_in(world.user("sue", "supervisor", hotlines=("city",)))
    operator.sign_in(world.user("olga", "operator"))
    counselor.sign_in(world.user("wang", "counselor", counselor="wang-li"))
    assert supervisor.get(f"/calls/{theirs}").status_code == 404
    assert supervisor.get("/calls/999999").status_code == 404
    assert operator.get(f"/calls/{theirs}").status_code == 403
    assert counselor.get(f"/calls/{theirs}/outcome").status_code == 404
    assert counselor.client.post("/calls/export", data={"format": "csv"}).status_code == 403
    address = "127.0.0.1"
    assert entries(world, "calls.refused") == [
        ("sue", str(theirs), address, {"page": "calls.detail", "status": 404}),
        ("sue", "999999", address, {"page": "calls.detail", "status": 404}),
        ("olga", str(theirs), address, {"page": "calls.detail", "status": 403}),
        ("wang", str(theirs), address, {"page": "outcomes.form", "status": 404}),
        ("wang", None, address, {"page": "calls.export", "status": 403}),
    ]


def test_a_stranger_is_sent_to_sign_in_and_nothing_is_audited_in_their_name(
    web_app: Flask, world: Any
) -> None:
    mine = world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    assert Browser(web_app).get(f"/calls/{mine}").status_code == 302
    assert entries(world, "calls.refused") == []


def test_deactivating_an_account_is_audited_with_the_address_it_came_from(
    web_app: Flask, world: Any
) -> None:
    user = world.user("wang", "counselor", counselor="wang-li")
    boss = Browser(web_app)
    boss.sign_in(world.user("ada", "admin"))
    path = f"/admin/users/{user['id']}/deactivate"
    assert boss.post(path, {}, token_from=path).status_code == 302
    assert entries(world, "user.deactivate") == [("ada", "wang", "127.0.0.1", {})]


def add_entries(world: Any) -> None:
    """250 entries a minute apart, ending at 2026-11-30 23:59 UTC: every fifth by `olga`
    (`outbox.retry`), the rest by `sue` (`calls.view`)."""
    last = datetime(2026, 11, 30, 23, 59, tzinfo=UTC)
    with world.database.write() as writing:
        for n in range(250):
            who, action = ("olga", "outbox.retry") if n % 5 == 0 else ("sue", "calls.view")
            at = last - timedelta(minutes=249 - n)
            audit.record(writing, at, action, actor=who, target=str(n), source="10.0.0.1")


def targets(page: str) -> list[str]:
    return re.findall(r"<td>(\d+)</td><td>10\.0\.0\.1</td>", page)


def test_the_audit_page_shows_a_hundred_entries_a_page_newest_first(
    web_app: Flask, world: Any
) -> None:
    add_entries(world)
    admin = Browser(web_app)
    admin.sign_in(world.user("ada", "admin"))
    first = admin.get("/admin/audit?action=calls.view&actor=sue").text
    assert targets(first) == [str(n) for n in range(249, -1, -1) if n % 5][:100]
    assert "?action=calls.view&amp;actor=sue&amp;page=2" in first
    second = admin.get("/admin/audit?action=calls.view&actor=sue&page=2").text
    assert targets(second) == [str(n) for n in range(249, -1, -1) if n % 5][100:200]
    assert "page=3" not in second  # 200 such entries: two pages
    assert "page=1" in second


def test_the_audit_page_filters_by_who_what_and_days_in_utc(web_app: Flask, world: Any) -> None:
    add_entries(world)
    admin = Browser(web_app)
    admin.sign_in(world.user("ada", "admin"))
    olga = admin.get("/admin/audit?actor=olga").text
    assert targets(olga) == [str(n) for n in range(245, -1, -5)]
    retries = admin.get("/admin/audit?action=outbox.retry").text
    assert targets(retries) == targets(olga)
    days = admin.get("/admin/audit?start=2026-11-30&end=2026-11-30&actor=olga").text
    assert targets(days) == targets(olga)
    assert targets(admin.get("/admin/audit?end=2026-11-29&actor=olga").text) == []
    assert targets(admin.get("/admin/audit?start=2026-12-01").text) == []


def test_an_unknown_action_or_a_bad_date_is_refused_not_searched(
    web_app: Flask, world: Any
) -> None:
    admin = Browser(web_app)
    admin.sign_in(world.user("ada", "admin"))
    for query in ("action=nothing.like.this", "start=2026-13-01", "page=0", "actor=" + "x" * 65):
        assert admin.get(f"/admin/audit?{query}").status_code == 400
