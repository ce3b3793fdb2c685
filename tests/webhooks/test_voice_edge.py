"""The Twilio edge under bad input: signatures, methods, sizes, repeats and unknown lines."""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.models import Call, CallAttempt
from hotline.runtime import runtime
from settings import Settings
from tests.conftest import TEST_ENV
from tests.webhooks.conftest import CANARY, CITY
from webhooks.simulator import HttpReply, WebhookClient, WsgiTransport, sign_request

BASE = TEST_ENV["HOTLINE_PUBLIC_URL"]
INCOMING = BASE + "/webhooks/voice/incoming"
STATUS = BASE + "/webhooks/voice/status"
SID = "CA" + "1" * 32


def _form(**extra: str) -> dict[str, str]:
    return {"CallSid": SID, "AccountSid": "AC" + "0" * 32, "From": CANARY, "To": CITY,
            "CallStatus": "ringing", "Direction": "inbound", **extra}  # fmt: skip


def _post(client: WebhookClient, url: str, form: dict[str, str]) -> HttpReply:
    return client.post(url, list(form.items()))


def _calls(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Call)) or 0)


def _dialed(body: str) -> list[str]:
    return [number.text or "" for number in ET.fromstring(body).iter("Number")]


@pytest.mark.parametrize(
    "path", ["incoming", "dial", "screen", "screen/choice", "status", "fallback"]
)
def test_an_unsigned_request_is_refused_and_writes_nothing(
    app: Flask, session: Session, path: str
) -> None:
    reply = app.test_client().post(f"/webhooks/voice/{path}", data=_form())
    assert reply.status_code == 403
    assert _calls(session) == 0


def test_a_tampered_request_is_refused(app: Flask, session: Session, settings: Settings) -> None:
    client = app.test_client()
    signed = {"X-Twilio-Signature": sign_request(settings.twilio_auth_token, INCOMING, _form())}
    assert client.post("/webhooks/voice/incoming", data=_form(), headers=signed).status_code == 200
    tampered = _form(CallSid="CA" + "9" * 32)
    reply = client.post("/webhooks/voice/incoming", data=tampered, headers=signed)
    assert reply.status_code == 403
    http = {
        "X-Twilio-Signature": sign_request(
            settings.twilio_auth_token, "http" + INCOMING[5:], tampered
        )
    }
    assert client.post("/webhooks/voice/incoming", data=tampered, headers=http).status_code == 403
    assert _calls(session) == 1


def test_the_previous_token_is_accepted_during_a_rotation(session: Session, app: Flask) -> None:
    rotated = Settings.from_env(
        {
            **TEST_ENV,
            "TWILIO_AUTH_TOKEN": "0e0" * 10 + "ab",  # the new one: 32 hex digits as well
            "TWILIO_AUTH_TOKEN_PREVIOUS": TEST_ENV["TWILIO_AUTH_TOKEN"],
        }
    )
    runtime(app).settings = rotated
    old = WebhookClient(WsgiTransport(app), TEST_ENV["TWILIO_AUTH_TOKEN"])
    assert _post(old, INCOMING, _form()).status == 200
    wrong = WebhookClient(WsgiTransport(app), "some-other-token")
    assert _post(wrong, INCOMING, _form(CallSid="CA" + "2" * 32)).status == 403


def test_get_on_a_webhook_is_405(app: Flask) -> None:
    assert app.test_client().get("/webhooks/voice/incoming").status_code == 405


def test_an_oversized_body_is_413(app: Flask, session: Session) -> None:
    reply = app.test_client().post("/webhooks/voice/incoming", data={"x": "a" * 200_000})
    assert reply.status_code == 413
    assert _calls(session) == 0


def test_unknown_extra_parameters_are_ignored(webhook: WebhookClient, session: Session) -> None:
    reply = _post(webhook, INCOMING, _form(StirVerstat="TN-Validation-Passed-A", NewThing="x"))
    assert reply.status == 200
    assert _dialed(reply.body)


def test_a_retried_incoming_request_gets_the_same_plan_and_no_second_record(
    webhook: WebhookClient, session: Session
) -> None:
    first = _post(webhook, INCOMING, _form())
    second = _post(webhook, INCOMING, _form())
    assert first.body == second.body
    assert _calls(session) == 1
    assert session.scalar(select(func.count()).select_from(CallAttempt)) == 1


def test_a_call_to_an_unknown_number_goes_to_the_global_fallback(
    webhook: WebhookClient, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    reply = _post(webhook, INCOMING, _form(To="+8657499999999"))
    assert reply.status == 200
    assert _dialed(reply.body) == [settings.fallback_number]
    assert "+8657499999999, which no line has" in caplog.text


def test_a_status_callback_without_call_sid_is_400_and_writes_nothing(
    webhook: WebhookClient, session: Session
) -> None:
    reply = _post(webhook, STATUS, {"CallStatus": "completed", "To": CITY})
    assert reply.status == 400
    assert _calls(session) == 0


def test_a_status_callback_for_an_unknown_call_makes_one_record(
    webhook: WebhookClient, session: Session
) -> None:
    form = _form(CallStatus="completed", CallDuration="12", SequenceNumber="0")
    assert _post(webhook, STATUS, form).status == 204
    assert _post(webhook, STATUS, form).status == 204
    call = session.scalar(select(Call))
    assert call is not None
    assert (_calls(session), call.status, call.result) == (1, "completed", "unknown")
    assert call.caller.startswith("v2:")


def test_a_terminal_state_is_never_regressed(webhook: WebhookClient, session: Session) -> None:
    _post(webhook, INCOMING, _form())
    _post(webhook, STATUS, _form(CallStatus="completed", SequenceNumber="3", CallDuration="40"))
    _post(webhook, STATUS, _form(CallStatus="in-progress", SequenceNumber="2"))
    _post(webhook, STATUS, _form(CallStatus="ringing", SequenceNumber="1"))
    call = session.scalar(select(Call))
    assert call is not None
    assert (call.status, call.duration_seconds, call.result) == ("completed", 40, "abandoned")


def test_nothing_of_the_caller_reaches_the_logs(
    webhook: WebhookClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _post(webhook, INCOMING, _form(CallerName="ZHANG SAN", FromCity="NINGBO"))
    _post(webhook, INCOMING.replace("incoming", "fallback"), _form(ErrorCode="11200"))
    text = caplog.text
    for secret in (CANARY, CANARY[3:], "ZHANG SAN", "NINGBO"):
        assert secret not in text
