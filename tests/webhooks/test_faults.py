"""When routing fails (database down, a corrupt row, a bug) the caller still reaches a human,
and the call is spooled without caller data, then loaded once the database is back."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from hotline.db import Database
from hotline.models import Call
from hotline.runtime import runtime
from tests.conftest import TEST_ENV
from tests.webhooks.conftest import CANARY, CITY, CITY_FALLBACK
from webhooks.simulator import HttpReply, WebhookClient

BASE = TEST_ENV["HOTLINE_PUBLIC_URL"] + "/webhooks/voice/"
SID = "CA" + "3" * 32


class DatabaseDown(Database):
    """The port's fake: every transaction fails as an unreachable server does."""

    def __init__(self, identity_url: str = "sqlite:////nowhere/down.db") -> None:
        self._identity_url = identity_url

    @property
    def is_bound(self) -> bool:
        return True  # stands for the test's own transaction: never handed to a thread

    @property
    def identity_url(self) -> str:
        return self._identity_url

    @contextmanager
    def write(self) -> Iterator[Session]:
        raise OperationalError("connect", {}, ConnectionRefusedError("database is down"))
        yield  # pragma: no cover

    read = write


def _post(webhook: WebhookClient, path: str, **form: str) -> HttpReply:
    base = {"CallSid": SID, "From": CANARY, "To": CITY, "CallStatus": "ringing"}
    return webhook.post(BASE + path, list({**base, **form}.items()))


def _caller_id(reply: HttpReply) -> str | None:
    dial = ET.fromstring(reply.body).find("Dial")
    return dial.get("callerId") if dial is not None else None


def _dialed(reply: HttpReply) -> list[str]:
    return [n.text or "" for n in ET.fromstring(reply.body).iter("Number")]


def test_with_the_database_down_the_caller_is_sent_to_the_fallback_line(
    app: Flask, webhook: WebhookClient
) -> None:
    current = runtime(app)
    _post(webhook, "incoming", CallSid="CA" + "4" * 32)  # a normal call fills the directory
    current.database = DatabaseDown()
    reply = _post(webhook, "incoming")
    assert reply.status == 200
    assert _dialed(reply) == [CITY_FALLBACK]
    assert current.counters.routing_errors == 1
    spooled = current.spool.current.read_text(encoding="utf-8")
    assert json.loads(spooled)["call_sid"] == SID
    assert CANARY not in spooled
    assert CANARY[3:] not in spooled


def test_spooled_calls_are_loaded_once_the_database_is_back(
    app: Flask, webhook: WebhookClient, session: Session
) -> None:
    current = runtime(app)
    healthy = current.database
    current.database = DatabaseDown()
    _post(webhook, "incoming")
    current.database = healthy
    assert _post(webhook, "status", CallSid="CA" + "5" * 32, CallStatus="completed").status == 204
    call = session.scalar(select(Call).where(Call.call_sid == SID))
    assert call is not None
    assert (call.result, call.caller) == ("error", "unknown")
    assert not current.spool.pending()


def test_a_corrupt_row_mid_call_still_ends_at_the_fallback_line(
    app: Flask, webhook: WebhookClient, session: Session
) -> None:
    _post(webhook, "incoming")
    session.execute(update(Call).values(plan=[{"garbage": True}]))
    reply = _post(webhook, "dial?round=0&step=0", DialCallStatus="no-answer", DialBridged="false")
    assert _dialed(reply) == [CITY_FALLBACK]
    assert runtime(app).counters.routing_errors == 1


def test_the_fallback_webhook_needs_no_database(app: Flask, webhook: WebhookClient) -> None:
    runtime(app).database = DatabaseDown()
    reply = _post(webhook, "fallback", ErrorCode="11205")
    assert reply.status == 200
    assert _dialed(reply) == [CITY_FALLBACK]  # the line's own, known since the app started
    assert _caller_id(reply) == CITY
    assert "<Say" in reply.body  # said only if the fallback line does not answer


def test_a_number_no_line_has_reaches_the_global_fallback_showing_that_number(
    app: Flask, webhook: WebhookClient
) -> None:
    runtime(app).database = DatabaseDown()
    reply = _post(webhook, "fallback", To="+8657400001111")
    assert _dialed(reply) == [TEST_ENV["HOTLINE_FALLBACK_NUMBER"]]
    assert _caller_id(reply) == "+8657400001111"  # never the caller's own number


def test_a_screen_that_fails_hangs_up_the_counselor_never_bridges_blind(
    app: Flask, webhook: WebhookClient
) -> None:
    runtime(app).database = DatabaseDown()
    reply = _post(webhook, "screen?round=0&step=0&target=wang-li", ParentCallSid=SID)
    assert reply.status == 200
    assert "<Hangup" in reply.body


def test_the_normal_path_never_takes_the_error_exit(app: Flask, webhook: WebhookClient) -> None:
    _post(webhook, "incoming")
    _post(
        webhook, "screen?round=0&step=0&target=wang-li", ParentCallSid=SID, CallSid="CA" + "6" * 32
    )
    _post(webhook, "screen/choice?round=0&step=0&target=wang-li", ParentCallSid=SID,
          CallSid="CA" + "6" * 32, Digits="1")  # fmt: skip
    _post(webhook, "dial?round=0&step=0", DialCallStatus="completed", DialBridged="true",
          DialCallSid="CA" + "6" * 32, DialCallDuration="30")  # fmt: skip
    _post(webhook, "status", CallStatus="completed", CallDuration="45")
    assert runtime(app).counters.routing_errors == 0
