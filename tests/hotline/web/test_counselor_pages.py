"""What the call log offers: no button that leads to a 403, true words after a save, and an
export whose name says its time zone."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from flask import Flask

from hotline.clock import now
from tests.hotline.web.browser import Browser

OUTCOME = {"call_type": "counseling", "partner": "", "caller_type": "", "age_band": "", "note": ""}


def test_my_calls_offers_no_export_but_the_call_log_of_a_supervisor_does(
    web_app: Flask, world: Any
) -> None:
    world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    counselor, supervisor = Browser(web_app), Browser(web_app)
    counselor.sign_in(world.user("wang", "counselor", counselor="wang-li"))
    supervisor.sign_in(world.user("sue", "supervisor"))
    assert "/calls/export" not in counselor.get("/calls").text
    assert "/calls/export" in supervisor.get("/calls").text


def test_lowering_the_risk_says_the_call_is_no_longer_flagged(web_app: Flask, world: Any) -> None:
    call_id = world.call("city", now() - timedelta(hours=1), counselor="wang-li")
    counselor = Browser(web_app, **{"Accept-Language": "en"})
    counselor.sign_in(world.user("wang", "counselor", counselor="wang-li"))
    path = f"/calls/{call_id}/outcome"
    assert counselor.post(path, {**OUTCOME, "risk": "high"}).status_code == 302
    counselor.get("/outcomes")  # the flash of the first save
    assert counselor.post(path, {**OUTCOME, "risk": "moderate"}).status_code == 302
    said = counselor.get("/outcomes").text
    assert "flagged;" not in said
    assert "supervisors" not in said
    assert "The risk is below high now: the call is no longer flagged." in said
    assert counselor.post(path, {**OUTCOME, "risk": "low"}).status_code == 302
    assert "Outcome saved." in counselor.get("/outcomes").text
    supervisor = Browser(web_app, **{"Accept-Language": "en"})
    supervisor.sign_in(world.user("ada", "admin"))
    assert 'class="flagged"' not in supervisor.get("/calls").text
    assert "· flagged" not in supervisor.get(f"/calls/{call_id}").text


def test_the_export_file_is_named_in_utc_and_says_so(web_app: Flask, world: Any) -> None:
    supervisor = Browser(web_app)
    supervisor.sign_in(world.user("sue", "supervisor"))
    answer = supervisor.post("/calls/export", {"format": "csv"}, token_from="/calls")
    name = answer.headers["Content-Disposition"].split("filename=")[1].strip('"')
    assert re.fullmatch(r"calls-\d{4}-\d{2}-\d{2}-\d{4}UTC\.csv", name)
    assert name.startswith(f"calls-{now():%Y-%m-%d}")
