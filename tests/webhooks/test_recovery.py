"""What the call path could not write while the database failed is spooled for its own
database and applied in order once it answers: leases end, records say what happened."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.app import create_app
from hotline.config.importer import import_configuration
from hotline.db import Database
from hotline.models import Call, Counselor
from hotline.routing import recovery
from hotline.routing.recovery import load_spool_when_back
from hotline.runtime import runtime
from hotline.spool import FALLBACK, Spool
from settings import Settings
from tests.conftest import FreshDatabases
from tests.webhooks.conftest import CITY, CITY_FALLBACK, ROUTING_CONFIG
from tests.webhooks.stalls import write_lock_held
from tests.webhooks.test_faults import SID, DatabaseDown, _caller_id, _dialed, _post
from webhooks.simulator import WebhookClient, WsgiTransport

LEG = "CA" + "6" * 32


def bridge_to_wang_li(webhook: WebhookClient) -> None:
    _post(webhook, "incoming")
    _post(webhook, "screen?round=0&step=0&target=wang-li", ParentCallSid=SID, CallSid=LEG)
    _post(webhook, "screen/choice?round=0&step=0&target=wang-li", ParentCallSid=SID,
          CallSid=LEG, Digits="1")  # fmt: skip


def busy(session: Session, key: str) -> str | None:
    return session.scalar(select(Counselor.busy_call_sid).where(Counselor.key == key))


def test_a_bridged_call_ending_while_the_database_fails_frees_the_counselor_once_it_is_back(
    app: Flask, webhook: WebhookClient, session: Session
) -> None:
    current = runtime(app)
    bridge_to_wang_li(webhook)
    healthy, current.database = current.database, DatabaseDown()
    ended = _post(webhook, "dial?round=0&step=0", DialCallStatus="completed", DialBridged="true",
                  DialCallSid=LEG, DialCallDuration="30")  # fmt: skip
    assert ended.status == 200
    assert "<Hangup" in ended.body  # never a second dial after the talk
    assert _post(webhook, "status", CallStatus="completed", CallDuration="45").status == 204
    assert busy(session, "wang-li") == SID  # nothing could be written yet
    current.database = healthy
    assert load_spool_when_back(healthy, current.spool, current.routing) == 2
    call = session.scalar(select(Call).where(Call.call_sid == SID))
    assert call is not None
    assert (call.result, call.status) == ("answered", "completed")
    assert busy(session, "wang-li") is None
    nxt = _post(webhook, "incoming", CallSid="CA" + "7" * 32)
    assert "wang-li" in nxt.body  # the next call rings her first again
    assert not current.spool.pending()


def test_a_call_sent_to_the_fallback_by_an_error_is_recorded_as_such_whatever_comes_first(
    app: Flask, webhook: WebhookClient, session: Session
) -> None:
    current = runtime(app)
    healthy, current.database = current.database, DatabaseDown()
    assert _dialed(_post(webhook, "incoming")) == [CITY_FALLBACK]
    current.database = healthy
    # Its own status callback is the first request after recovery.
    assert _post(webhook, "status", CallStatus="completed", CallDuration="20").status == 204
    call = session.scalar(select(Call).where(Call.call_sid == SID))
    assert call is not None
    assert (call.result, call.status) == ("error", "completed")
    assert not current.spool.pending()


def test_an_existing_call_sent_to_the_fallback_by_an_error_does_not_end_as_abandoned(
    app: Flask, webhook: WebhookClient, session: Session
) -> None:
    current = runtime(app)
    _post(webhook, "incoming")
    healthy, current.database = current.database, DatabaseDown()
    reply = _post(webhook, "dial?round=0&step=0", DialCallStatus="no-answer", DialBridged="false")
    assert _dialed(reply) == [CITY_FALLBACK]
    current.database = healthy
    _post(webhook, "status", CallStatus="completed", CallDuration="60")
    call = session.scalar(select(Call).where(Call.call_sid == SID))
    assert call is not None
    assert call.result == "error"


def test_a_fresh_worker_with_the_database_down_knows_each_lines_fallback_from_the_cache(
    app: Flask, settings: Settings, tmp_path: Path
) -> None:
    first = runtime(app)  # read every line at start, and wrote the cache
    down = DatabaseDown(first.database.identity_url)  # the same database, now down
    fresh = create_app(settings, down, spool_dir=first.spool_dir)
    client = WebhookClient(WsgiTransport(fresh), settings.twilio_auth_token)
    url = settings.public_url + "/webhooks/voice/fallback"
    reply = client.post(url, [("CallSid", SID), ("From", "+8613800138000"), ("To", CITY)])
    assert _dialed(reply) == [CITY_FALLBACK]
    assert _caller_id(reply) == CITY
    assert 'language="cmn-CN"' in reply.body


def test_the_spool_of_another_database_is_never_loaded(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    current = runtime(app)
    other = Spool(current.spool_dir, "postgresql+psycopg://app@elsewhere:5432/hotline")
    other.append(FALLBACK, datetime(2026, 3, 1, tzinfo=UTC), "CA" + "1" * 32, to=CITY)
    assert load_spool_when_back(current.database, current.spool, current.routing) == 0
    assert session.scalar(select(Call.id)) is None
    assert other.pending()  # kept for its owner


def test_a_web_process_applies_its_spool_by_itself_within_seconds_of_recovery(
    fresh_databases: FreshDatabases, settings: Settings, tmp_path: Path
) -> None:
    database = Database(fresh_databases.engine("sqlite"))
    with database.write() as writing:
        import_configuration(writing, ROUTING_CONFIG, datetime(2026, 1, 1, tzinfo=UTC))
    app = create_app(settings, database, spool_dir=tmp_path)
    current = runtime(app)
    current.spool.append(FALLBACK, datetime(2026, 3, 1, tzinfo=UTC), SID, to=CITY)
    current.spool_loader.wake()  # as after a fallback; no request, no scheduler follows
    deadline = time.monotonic() + 10
    while current.spool.pending() and time.monotonic() < deadline:
        time.sleep(0.1)
    current.spool_loader.stop()
    with database.read() as reading:
        assert reading.scalar(select(Call.result).where(Call.call_sid == SID)) == "error"
    database.dispose()


def test_spooled_events_carry_no_caller_data(app: Flask, webhook: WebhookClient) -> None:
    current = runtime(app)
    current.database = DatabaseDown()
    _post(webhook, "incoming")
    _post(webhook, "status", CallStatus="completed", CallDuration="20")
    files = current.spool_dir.glob(f"{current.spool.stem}*")  # one was claimed by a failed load
    text = "".join(path.read_text(encoding="utf-8") for path in files if "lines" not in path.name)
    assert text.count("\n") == 2
    assert "13800138000" not in text
    assert "38000" not in text


def test_a_load_against_a_locked_database_gives_up_within_its_budget_and_keeps_the_spool(
    fresh_databases: FreshDatabases, settings: Settings, tmp_path: Path, monkeypatch: Any
) -> None:
    """The loader thread runs outside any request: without a budget of its own it would wait
    the whole busy timeout (or, on a paused PostgreSQL, for ever) holding a connection."""
    engine = fresh_databases.engine("sqlite", wait_limit_ms=20_000)
    database = Database(engine)
    with database.write() as writing:
        import_configuration(writing, ROUTING_CONFIG, datetime(2026, 1, 1, tzinfo=UTC))
    app = create_app(settings, database, spool_dir=tmp_path)
    current = runtime(app)
    current.spool.append(FALLBACK, datetime(2026, 3, 1, tzinfo=UTC), SID, to=CITY)
    monkeypatch.setattr(recovery, "LOAD_BUDGET_S", 0.5)
    started = time.monotonic()
    with write_lock_held(str(engine.url.database)):
        assert load_spool_when_back(database, current.spool, current.routing) == 0
    assert time.monotonic() - started < 5
    assert current.spool.pending()
    assert load_spool_when_back(database, current.spool, current.routing) == 1
    database.dispose()
