"""The alerts page and a call's alert: one-click acknowledgement, who was told when, and no
clinical detail for operators."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from hotline.clock import now
from hotline.models import AuditEntry, Call, OutboxMessage, RiskAlert
from hotline.records.outcomes import OutcomeInput, save_outcome
from tests.hotline.web.browser import Browser

HIGH_RISK = {
    "call_type": "counseling",
    "risk": "high",
    "partner": "",
    "caller_type": "",
    "age_band": "",
    "note": "",
}


def raise_alert(world: Any, line: str = "city", counselor: str = "wang-li") -> tuple[int, int]:
    """A call judged high risk through the records service: (call id, alert id)."""
    call_id = world.call(line, now() - timedelta(hours=1), counselor=counselor)
    outcome = OutcomeInput("counseling", (), "high", (), None, None, None, "")
    with world.database.write() as writing:
        call = writing.get(Call, call_id)
        assert call is not None
        save_outcome(writing, call, outcome, now(), note_max=2000, public_url="https://h.example")
        alert_id = writing.scalar(select(RiskAlert.id).where(RiskAlert.call_id == call_id))
    assert alert_id is not None
    return call_id, alert_id


def alert_row(world: Any, alert_id: int) -> RiskAlert:
    with world.database.read() as reading:
        found: RiskAlert | None = reading.get(RiskAlert, alert_id)
        assert found is not None
        reading.expunge(found)
        return found


def acknowledgements(world: Any) -> list[tuple[str | None, str | None]]:
    with world.database.read() as reading:
        rows = reading.execute(
            select(AuditEntry.actor, AuditEntry.target)
            .where(AuditEntry.action == "alerts.acknowledge")
            .order_by(AuditEntry.id)
        ).all()
    return [(actor, target) for actor, target in rows]


def signed_in(web_app: Flask, world: Any, username: str, role: str, **options: Any) -> Browser:
    browser = Browser(web_app, **{"Accept-Language": "en"})
    assert browser.sign_in(world.user(username, role, **options)).status_code == 302
    return browser


@pytest.fixture
def supervisor(web_app: Flask, world: Any) -> Browser:
    return signed_in(
        web_app, world, "sue", "supervisor", hotlines=("city",), phone="+8613900000099"
    )


def test_one_click_acknowledges_an_alert_and_a_second_click_changes_nothing(
    world: Any, supervisor: Browser
) -> None:
    _, alert_id = raise_alert(world)
    page = supervisor.get("/alerts").text
    assert f'action="/alerts/{alert_id}/acknowledge"' in page
    assert "sue" in page  # told: sue, by SMS, queued
    assert "Waiting to be sent" in page
    path = f"/alerts/{alert_id}/acknowledge"
    answer = supervisor.post(path, {}, token_from="/alerts")
    assert (answer.status_code, answer.location) == (302, "/alerts")
    first = alert_row(world, alert_id)
    assert first.acknowledged_at is not None
    with world.database.read() as reading:
        states = set(reading.scalars(select(OutboxMessage.state)))
    assert states == {"cancelled"}  # nobody needs the unsent messages any more
    page = supervisor.get("/alerts").text
    assert f'action="/alerts/{alert_id}/acknowledge"' not in page
    assert "sue at " in page
    assert f"Alert #{alert_id} acknowledged." in page

    again = supervisor.post(path, {}, token_from="/account")
    assert again.status_code == 302
    assert alert_row(world, alert_id).acknowledged_at == first.acknowledged_at
    assert "already acknowledged or cancelled; nothing changed" in supervisor.get("/alerts").text
    assert acknowledgements(world) == [("sue", str(alert_id)), ("sue", str(alert_id))]


def test_acknowledging_needs_the_csrf_token(world: Any, supervisor: Browser) -> None:
    _, alert_id = raise_alert(world)
    assert supervisor.client.post(f"/alerts/{alert_id}/acknowledge", data={}).status_code == 400
    assert alert_row(world, alert_id).acknowledged_at is None
    assert acknowledgements(world) == []


def test_a_supervisor_of_another_line_gets_a_404_and_the_alert_stays_open(
    web_app: Flask, world: Any
) -> None:
    _, alert_id = raise_alert(world, "school", "he-fang")
    other = signed_in(web_app, world, "tom", "supervisor", hotlines=("city",))
    assert f"#{alert_id}" not in other.get("/alerts").text
    answer = other.post(f"/alerts/{alert_id}/acknowledge", {}, token_from="/account")
    assert answer.status_code == 404
    assert alert_row(world, alert_id).acknowledged_at is None
    assert acknowledgements(world) == []


def test_an_operators_alerts_page_has_no_clinical_detail_and_acknowledges(
    web_app: Flask, world: Any, supervisor: Browser
) -> None:
    call_id, alert_id = raise_alert(world)
    operator = signed_in(web_app, world, "olga", "operator", hotlines=("city",))
    page = operator.get("/alerts").text
    assert f"#{alert_id}" in page
    assert "慈溪市心理援助热线" in page
    assert "/calls/" not in page
    assert "Risk level" not in page
    assert ">High<" not in page
    assert operator.get(f"/calls/{call_id}").status_code == 403
    answer = operator.post(f"/alerts/{alert_id}/acknowledge", {}, token_from="/alerts")
    assert answer.status_code == 302
    assert "olga at " in operator.get("/alerts").text
    supervisor_page = supervisor.get("/alerts").text
    assert f'href="/calls/{call_id}"' in supervisor_page
    assert "olga at " in supervisor_page


def test_counselors_do_not_reach_the_alerts_page(web_app: Flask, world: Any) -> None:
    _, alert_id = raise_alert(world)
    counselor = signed_in(web_app, world, "wang", "counselor", counselor="wang-li")
    assert counselor.get("/alerts").status_code == 403
    answer = counselor.post(f"/alerts/{alert_id}/acknowledge", {}, token_from="/account")
    assert answer.status_code == 403
    assert 'href="/alerts"' not in counselor.get("/outcomes").text


def test_the_call_page_shows_who_was_told_and_who_acknowledged(
    world: Any, supervisor: Browser
) -> None:
    call_id, alert_id = raise_alert(world)
    page = supervisor.get(f"/calls/{call_id}").text
    section = page.split('<section class="alerts"')[1].split("</section>")[0]
    assert f"Alert #{alert_id}" in section
    assert "sue · SMS · Waiting to be sent" in section
    assert "Not yet" in section
    answer = supervisor.post(
        f"/alerts/{alert_id}/acknowledge?back=call", {}, token_from=f"/calls/{call_id}"
    )
    assert (answer.status_code, answer.location) == (302, f"/calls/{call_id}")
    section = supervisor.get(f"/calls/{call_id}").text.split('<section class="alerts"')[1]
    assert "sue at " in section
    assert "sue · SMS · Cancelled" in section


def test_lowering_the_risk_shows_the_alert_cancelled_on_the_call_page(
    web_app: Flask, world: Any, supervisor: Browser
) -> None:
    counselor = signed_in(web_app, world, "wang", "counselor", counselor="wang-li")
    call_id = world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    path = f"/calls/{call_id}/outcome"
    assert counselor.post(path, HIGH_RISK).status_code == 302
    assert counselor.post(path, HIGH_RISK).status_code == 302
    assert "its alert was queued before" in counselor.get("/outcomes").text
    assert counselor.post(path, {**HIGH_RISK, "risk": "low"}).status_code == 302
    section = supervisor.get(f"/calls/{call_id}").text.split('<section class="alerts"')[1]
    assert "Cancelled at " in section
    assert "Acknowledge</button>" not in section


def test_a_cancelled_message_of_an_acknowledged_alert_is_not_retried(
    web_app: Flask, world: Any, supervisor: Browser
) -> None:
    _, alert_id = raise_alert(world)
    supervisor.post(f"/alerts/{alert_id}/acknowledge", {}, token_from="/alerts")
    operator = signed_in(web_app, world, "olga", "operator")
    assert ">Retry</button>" not in operator.get("/operations/outbox?state=cancelled").text
    with world.database.read() as reading:
        message_id = reading.scalar(
            select(OutboxMessage.id).where(OutboxMessage.alert_id == alert_id)
        )
    answer = operator.post(f"/operations/outbox/{message_id}/retry", {}, token_from="/account")
    assert answer.status_code == 302
    with world.database.read() as reading:
        assert reading.scalar(select(OutboxMessage.state)) == "cancelled"
