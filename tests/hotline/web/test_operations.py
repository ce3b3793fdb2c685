"""The operators' pages: the outbox (filter, why it failed, retry), the job runs, the banner."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from hotline.clock import now
from hotline.jobs import heartbeat
from hotline.jobs.registry import JOBS
from hotline.models import AuditEntry, Hotline, JobRun, OutboxMessage
from tests.hotline.web.browser import Browser

NEVER = "The scheduler has never run on this database"
SILENT = "The scheduler has been silent since"


def audit_trail(world: Any) -> list[tuple[str | None, str, str | None]]:
    with world.database.read() as reading:
        rows = reading.execute(
            select(AuditEntry.actor, AuditEntry.action, AuditEntry.target).order_by(AuditEntry.id)
        ).all()
    return [(a, b, c) for a, b, c in rows]


def message(world: Any, state: str = "failed", **values: Any) -> int:
    """An outbox message (by default: failed twice, to user `recipient_user_id`)."""
    at = values.pop("at", now() - timedelta(minutes=30))
    line = values.pop("line", "city")
    row = OutboxMessage(
        key=values.pop("key", f"test:{state}:{at.isoformat()}:{values.get('subject', '')}"),
        kind=values.pop("kind", "delivery-problem"),
        channel="sms",
        address="+8613900000077",
        hotline_id=world.ids(Hotline, line) if line else None,
        subject=values.pop("subject", "[Hotline] Message #1 not delivered"),
        body=values.pop("body", "[Hotline] Message #1 could not be delivered."),
        state=state,
        attempts=values.pop("attempts", 2),
        created_at=at,
        due_at=at,
        error=values.pop("error", "21610: unsubscribed recipient" if state == "failed" else None),
        lease_until=values.pop("lease_until", None),
        claim=values.pop("claim", None),
        **values,
    )
    with world.database.write() as writing:
        writing.add(row)
        writing.flush()
        return row.id


def stored(world: Any, message_id: int) -> OutboxMessage:
    with world.database.read() as reading:
        found: OutboxMessage | None = reading.get(OutboxMessage, message_id)
        assert found is not None
        reading.expunge(found)
        return found


def beat(world: Any, at: datetime) -> None:
    with world.database.write() as writing:
        heartbeat.beat(writing, "host:1", at - timedelta(hours=1), at)


@pytest.fixture
def operator_user(world: Any) -> dict[str, Any]:
    made: dict[str, Any] = world.user("olga", "operator", phone="+8613900000077")
    return made


@pytest.fixture
def operator(web_app: Flask, operator_user: dict[str, Any]) -> Browser:
    browser = Browser(web_app, **{"Accept-Language": "en"})
    assert browser.sign_in(operator_user).status_code == 302
    return browser


def signed_in(web_app: Flask, world: Any, username: str, role: str, **options: Any) -> Browser:
    browser = Browser(web_app, **{"Accept-Language": "en"})
    assert browser.sign_in(world.user(username, role, **options)).status_code == 302
    return browser


def test_operators_start_on_the_alerts_page_and_reach_the_outbox_and_job_runs(
    operator: Browser,
) -> None:
    assert operator.get("/").location == "/alerts"
    for path in ("/alerts", "/operations/outbox", "/operations/jobs"):
        page = operator.get(path)
        assert page.status_code == 200, path
        for tab in ("/alerts", "/operations/outbox", "/operations/jobs"):
            assert f'href="{tab}"' in page.text
        assert 'href="/calls"' not in page.text


@pytest.mark.parametrize(
    ("role", "options"), [("counselor", {"counselor": "wang-li"}), ("supervisor", {})]
)
def test_counselors_and_supervisors_do_not_reach_the_outbox_or_the_job_runs(
    web_app: Flask, world: Any, role: str, options: dict[str, Any]
) -> None:
    browser = signed_in(web_app, world, "someone", role, **options)
    failed = message(world)
    assert browser.get("/operations/outbox").status_code == 403
    assert browser.get("/operations/jobs").status_code == 403
    token_page = "/account"
    answer = browser.post(f"/operations/outbox/{failed}/retry", {}, token_from=token_page)
    assert answer.status_code == 403
    assert "/operations/" not in browser.get("/account").text
    assert stored(world, failed).state == "failed"


def test_the_outbox_shows_why_a_message_failed_without_addresses(
    world: Any, operator: Browser, operator_user: dict[str, Any]
) -> None:
    message(world, recipient_user_id=operator_user["id"])
    page = operator.get("/operations/outbox").text
    assert "21610: unsubscribed recipient" in page
    assert "Sending failed" in page
    assert "olga" in page
    assert "+8613900000077" not in page
    assert ">Retry</button>" in page


def test_retrying_a_failed_message_queues_it_again_now_and_is_audited(
    world: Any, operator: Browser
) -> None:
    failed = message(world, lease_until=now() - timedelta(minutes=20), claim="abc")
    answer = operator.post(
        f"/operations/outbox/{failed}/retry?state=failed", {}, token_from="/operations/outbox"
    )
    assert (answer.status_code, answer.location) == (302, "/operations/outbox?state=failed")
    again = stored(world, failed)
    assert again.state == "pending"
    assert again.error is None
    assert again.attempts == 2  # kept: the backoff and the bound still count them
    assert (again.lease_until, again.claim) == (None, None)
    assert abs((again.due_at - now()).total_seconds()) < 60
    assert ("olga", "outbox.retry", str(failed)) in audit_trail(world)
    assert f"Message #{failed} is queued again." in operator.get("/operations/outbox").text


def test_a_retry_needs_the_csrf_token(world: Any, operator: Browser) -> None:
    failed = message(world)
    answer = operator.client.post(f"/operations/outbox/{failed}/retry", data={})
    assert answer.status_code == 400
    assert stored(world, failed).state == "failed"
    assert [a for a in audit_trail(world) if a[1] == "outbox.retry"] == []


def test_a_message_on_its_way_is_not_retried(world: Any, operator: Browser) -> None:
    sent = message(world, "sent")
    page = operator.get("/operations/outbox").text
    assert ">Retry</button>" not in page
    answer = operator.post(f"/operations/outbox/{sent}/retry", {}, token_from="/account")
    assert answer.status_code == 302
    assert stored(world, sent).state == "sent"
    assert [a for a in audit_trail(world) if a[1] == "outbox.retry"] == []


def test_a_scoped_operator_sees_their_lines_and_messages_of_no_line(
    web_app: Flask, world: Any
) -> None:
    scoped = signed_in(web_app, world, "cora", "operator", hotlines=("city",))
    message(world, subject="city message", line="city")
    message(world, subject="no line message", line=None)
    london = message(world, subject="school message", line="school")
    page = scoped.get("/operations/outbox").text
    assert "city message" in page
    assert "no line message" in page
    assert "school message" not in page
    answer = scoped.post(f"/operations/outbox/{london}/retry", {}, token_from="/operations/outbox")
    assert answer.status_code == 404
    assert stored(world, london).state == "failed"


def test_operators_see_the_subject_of_a_risk_alert_but_not_its_body(
    world: Any, operator: Browser
) -> None:
    message(
        world,
        kind="risk-alert",
        subject="[Hotline] High-risk call #77",
        body="[Hotline] City: call #77 (01-01 10:00) was judged high risk.",
    )
    page = operator.get("/operations/outbox").text
    assert "High-risk call #77" in page
    assert "judged high risk" not in page


def test_the_outbox_filters_by_state_and_pages_by_fifty(world: Any, operator: Browser) -> None:
    start = now() - timedelta(days=1)
    for n in range(51):
        message(world, "sent", at=start + timedelta(minutes=n), subject=f"sent-{n:02d}")
    message(world, "undeliverable", subject="the undeliverable one")
    first = operator.get("/operations/outbox?state=sent").text
    assert "the undeliverable one" not in first
    assert "sent-50" in first
    assert "sent-01" in first
    assert "sent-00" not in first  # the oldest is on the next page
    assert 'href="?state=sent&amp;page=2"' in first
    second = operator.get("/operations/outbox?state=sent&page=2").text
    assert "sent-00" in second
    assert "sent-01" not in second
    only = operator.get("/operations/outbox?state=undeliverable").text
    assert "the undeliverable one" in only
    assert "sent-50" not in only
    for hostile in ("state=nope", "state=%27%20OR%201%3D1", "page=-1"):
        assert operator.get(f"/operations/outbox?{hostile}").status_code == 400, hostile


def test_the_job_runs_page_shows_each_job_its_last_run_and_misses(
    world: Any, operator: Browser
) -> None:
    at = now() - timedelta(hours=2)
    runs = [
        (at - timedelta(days=1), "missed", {"missed": 2}),
        (at, "ok", {"deleted": {"calls": 3}}),
    ]
    with world.database.write() as writing:
        for when, outcome, detail in runs:
            writing.add(
                JobRun(
                    job="retention-purge",
                    scheduled_for=when,
                    now=when,
                    started_at=when,
                    finished_at=when,
                    outcome=outcome,
                    runner="host:1",
                    detail=detail,
                )
            )
    page = operator.get("/operations/jobs").text
    for name in JOBS:
        assert name in page
    assert "Done" in page
    assert "Not run in time" in page
    assert "{&#34;deleted&#34;: {&#34;calls&#34;: 3}}" in page
    assert "<td>2</td>" in page  # two runs missed in the last 7 days


@pytest.mark.parametrize(
    ("beat_age", "shown"),
    [(None, NEVER), (timedelta(minutes=5), SILENT), (timedelta(seconds=30), None)],
)
def test_the_scheduler_banner_tells_operators_when_the_scheduler_is_silent(
    world: Any, operator: Browser, beat_age: timedelta | None, shown: str | None
) -> None:
    if beat_age is not None:
        beat(world, now() - beat_age)
    page = operator.get("/operations/outbox").text
    if shown is None:
        assert NEVER not in page
        assert SILENT not in page
    else:
        assert shown in page
        assert 'href="/operations/jobs"' in page


def test_the_banner_is_for_admins_and_operators_only(web_app: Flask, world: Any) -> None:
    admin = signed_in(web_app, world, "ada", "admin")
    assert NEVER in admin.get("/admin/users").text
    counselor = signed_in(web_app, world, "wang", "counselor", counselor="wang-li")
    assert NEVER not in counselor.get("/outcomes").text
    supervisor = signed_in(web_app, world, "sue", "supervisor")
    assert NEVER not in supervisor.get("/calls").text


def test_an_unreadable_database_shows_no_banner_rather_than_an_error(
    operator: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    from hotline.web import banner

    def unreachable(*_: Any) -> None:
        raise OperationalError("SELECT", {}, Exception("connection refused"))

    monkeypatch.setattr(banner, "silence", unreachable)
    page = operator.get("/operations/jobs")
    assert page.status_code == 200
    assert NEVER not in page.text


def test_the_banner_opens_no_transaction_for_counselors_or_supervisors(
    web_app: Flask, world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hotline.web import banner

    counselor = signed_in(web_app, world, "wang", "counselor", counselor="wang-li")
    supervisor = signed_in(web_app, world, "sue", "supervisor")

    def refused() -> None:
        raise AssertionError("the banner read the database")

    monkeypatch.setattr(banner, "database", refused)
    assert counselor.get("/outcomes").status_code == 200
    assert supervisor.get("/calls").status_code == 200
