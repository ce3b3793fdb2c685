"""The canary sweep: calls from one number, driven through the webhooks, reviewed, noted and
exported; the number appears in no table, log line, page or export afterwards (I3)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, text

from hotline.models import Base, Call
from settings import Settings
from tests.hotline.web.browser import Browser
from webhooks.simulator import Simulator, WsgiTransport, accept

CANARY = "+8613800138000"
SPELLINGS = [
    CANARY,
    "8613800138000",
    "13800138000",
    "138 0013 8000",
    "138-0013-8000",
    "00138000",  # the last eight digits
    "138  0013  8000",
    "138_0013_8000",
    "138, 0013, 8000",
    "138—0013—8000",
    "138 \u2013 0013 \u2013 8000",  # en dashes
    "壹叁捌零零壹叁捌零零零",
    "一三八零零一三八零零零",
    "１３８００１３８０００",
]
CALLER_FORMS = [CANARY, "+86 138-0013-8000", "008613800138000", "13800138000"]


def dump_every_table(database: Any) -> str:
    with database.read() as reading:
        return "\n".join(
            repr(row)
            for table in Base.metadata.sorted_tables
            for row in reading.execute(text(f"SELECT * FROM {table.name}")).all()
        )


def drive_calls(app: Flask, settings: Settings) -> None:
    twilio = Simulator.for_base_url(
        WsgiTransport(app), settings.twilio_auth_token, settings.public_url
    )
    for caller in CALLER_FORMS:
        extras = [("CallerName", "CANARY PERSON"), ("FromCity", "NINGBO"), ("FromZip", "315300")]
        trace = twilio.place_call(
            caller, "+8657463898070", {"+8613900000001": accept()}, extra_params=extras
        )
        assert trace.bridged_to == "+8613900000001"


def test_the_canary_number_is_nowhere_after_calls_reviews_notes_and_exports(
    web_app: Flask, world: Any, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    drive_calls(web_app, settings)
    counselor = Browser(web_app)
    counselor.sign_in(world.user("wang", "counselor", counselor="wang-li"))
    with world.database.read() as reading:
        calls = list(reading.scalars(select(Call.id).order_by(Call.id)))
        callers = set(reading.scalars(select(Call.caller)))
    assert len(callers) == 1  # every spelling of the number is the same caller
    form = counselor.get(f"/calls/{calls[-1]}/outcome")
    assert "3 earlier calls from this caller" in form.text
    note = "她让我回电 " + "，或 ".join(SPELLINGS) + "，邮箱 x@y.cn"
    saved = counselor.post(
        f"/calls/{calls[-1]}/outcome",
        {
            "call_type": "counseling",
            "risk": "high",
            "note": note,
            "partner": "",
            "caller_type": "",
            "age_band": "",
        },
    )
    assert saved.status_code == 302
    supervisor = Browser(web_app)
    supervisor.sign_in(world.user("sue", "supervisor"))
    seen = [supervisor.get("/calls").text, supervisor.get("/alerts").text]
    seen += [supervisor.get(f"/calls/{call_id}").text for call_id in calls]
    for kind in ("csv", "json"):
        seen.append(supervisor.post("/calls/export", {"format": kind}, token_from="/calls").text)
    everything = "\n".join([dump_every_table(world.database), caplog.text, *seen])
    assert "CANARY PERSON" not in everything
    assert "NINGBO" not in everything
    for spelling in SPELLINGS:
        assert spelling not in everything, spelling
    assert "[电话/phone]" in seen[-3]  # the note, scrubbed, on the page of the last call
