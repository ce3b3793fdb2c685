"""`/webhooks/sms/incoming`: staff replies act on the newest open item sent to their phone;
anyone else is told where to call, and nothing about them is kept but a count."""

from __future__ import annotations

import dataclasses
import logging
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import Engine, event, select, update
from sqlalchemy.orm import Session

from hotline.alerts.escalation import escalate_due
from hotline.alerts.risk import raise_alert
from hotline.clock import now
from hotline.config.importer import import_configuration
from hotline.db import Database
from hotline.inbound import answer_text
from hotline.migrate import upgrade
from hotline.models import (
    AuditEntry,
    Base,
    Call,
    Counselor,
    Hotline,
    InboundTextCount,
    OutboxMessage,
    RiskAlert,
    ShiftConfirmation,
)
from hotline.outbound.outbox import Recipient, queue_text
from hotline.outbound.port import Outbound
from hotline.outbound.sending import Sender, send_due
from hotline.runtime import runtime
from hotline.secrets_at_rest import DataKeys
from settings import Settings
from tests.conftest import ENGINES, RECORDS_CONFIG, FreshDatabases
from tests.hotline.care.conftest import CANARY, Care
from tests.hotline.jobs.fakes import FakeSms
from webhooks.simulator import WebhookClient, WsgiTransport

URL = "https://hotline.example.org/webhooks/sms/incoming"
PUBLIC_URL = "https://hotline.example.org"
CITY, SCHOOL = "+8657463898070", "+8657463898071"
SERVICE = "+8657463898000"  # HOTLINE_SMS_FROM: staff answer the number texts come from
UNKNOWN = "+8657463898999"
WANG, SUE_PHONE = "+8613900000001", "+8613900000099"
STRANGER = "+8615987654321"
TRACES = (STRANGER, STRANGER[1:], "15987654321", "159 8765 4321", "87654321")


@pytest.fixture
def texts(web_app: Flask, settings: Settings) -> WebhookClient:
    return WebhookClient(WsgiTransport(web_app), settings.twilio_auth_token)


@pytest.fixture
def sue(world: Any) -> dict[str, Any]:
    return dict(world.user("sue", "supervisor", hotlines=("city",), phone=SUE_PHONE))


def send_text(texts: WebhookClient, sender: str, body: str, to: str = SERVICE) -> str:
    """The text of the `<Message>` the service answers with."""
    params = [
        ("MessageSid", "SM" + "c" * 32),
        ("AccountSid", "AC" + "0" * 32),
        ("From", sender),
        ("To", to),
        ("Body", body),
        ("NumSegments", "1"),
        ("NumMedia", "0"),
        ("FromCountry", "CN"),
    ]
    answer = texts.post(URL, params)
    assert (answer.status, answer.content_type) == (200, "text/xml; charset=utf-8")
    document = ET.fromstring(answer.body)
    assert document.tag == "Response"
    assert [child.tag for child in document] == ["Message"]
    return document[0].text or ""


def sent(session: Session, **where: Any) -> None:
    """What was queued has left: a reply can only be to a message the person got."""
    query = update(OutboxMessage).values(state="sent", sent_at=OutboxMessage.created_at)
    session.execute(query.filter_by(**where))


def ask_to_confirm(database: Database, counselor: str, line: str, asked: datetime) -> int:
    """A shift confirmation asked by text at `asked`, for a shift that started then."""
    with database.write() as writing:
        person = writing.scalars(select(Counselor).where(Counselor.key == counselor)).one()
        hotline = writing.scalars(select(Hotline).where(Hotline.key == line)).one()
        row = ShiftConfirmation(
            hotline_id=hotline.id,
            counselor_id=person.id,
            tier=1,
            start=asked,
            end=asked + timedelta(hours=8),
            asked_at=asked,
        )
        writing.add(row)
        writing.flush()
        who = Recipient(f"counselor-{person.id}", hotline.language, person.phone, None)
        queue_text(
            writing,
            f"shift-confirmation:{row.id}",
            [who],
            "shift-confirmation",
            asked,
            urgent=False,
            hotline_id=hotline.id,
            shift_confirmation_id=row.id,
            line=hotline.name,
            start=f"{asked:%H:%M}",
            link=f"{PUBLIC_URL}/",
        )
        sent(writing, shift_confirmation_id=row.id)
        return row.id


def raise_risk(database: Database, world: Any, line: str, at: datetime) -> int:
    """A high-risk alert on a call of `line`, its texts to the supervisors sent."""
    call_id = world.call(line, at, counselor="wang-li")
    with database.write() as writing:
        call = writing.get(Call, call_id)
        assert call is not None
        alert = raise_alert(writing, call, "high", at, PUBLIC_URL).alert
        sent(writing, alert_id=alert.id)
        return alert.id


def confirmed(database: Database, confirmation_id: int) -> tuple[datetime | None, str | None]:
    with database.read() as reading:
        row = reading.get(ShiftConfirmation, confirmation_id)
        assert row is not None
        return row.confirmed_at, row.confirmed_via


def audit_trail(database: Database) -> list[tuple[str | None, str, str | None, str | None]]:
    with database.read() as reading:
        rows = reading.execute(
            select(AuditEntry.actor, AuditEntry.action, AuditEntry.target, AuditEntry.source)
        ).all()
    return [(a, b, c, d) for a, b, c, d in rows]


def counts(database: Database) -> list[tuple[int | None, int]]:
    with database.read() as reading:
        rows = reading.execute(select(InboundTextCount.hotline_id, InboundTextCount.count)).all()
    return [(line, count) for line, count in rows]


def test_an_unsigned_text_is_refused_and_nothing_is_written(
    web_app: Flask, database: Database, world: Any
) -> None:
    asked = ask_to_confirm(database, "wang-li", "city", now() - timedelta(minutes=5))
    before = audit_trail(database)
    for data in ({"From": WANG, "To": SERVICE, "Body": "1"}, {"From": STRANGER, "To": CITY}):
        assert web_app.test_client().post(URL, data=data).status_code == 403
    assert confirmed(database, asked) == (None, None)
    assert counts(database) == []
    assert audit_trail(database) == before


def test_a_counselors_1_confirms_the_newest_open_shift_and_the_reply_says_which(
    texts: WebhookClient, database: Database, world: Any
) -> None:
    at = now()
    older = ask_to_confirm(database, "wang-li", "city", at - timedelta(hours=2))
    newer = ask_to_confirm(database, "wang-li", "city", at - timedelta(minutes=5))
    local = (at - timedelta(minutes=5)).astimezone(ZoneInfo("Asia/Shanghai"))
    answer = send_text(texts, WANG, "1")
    assert answer == f"【热线】已确认：慈溪市心理援助热线 {local:%m-%d %H:%M} 的值班。谢谢！"
    assert confirmed(database, newer)[1] == "sms"
    assert confirmed(database, older) == (None, None)
    assert ("wang-li", "shift.confirm", str(newer), "sms") in audit_trail(database)
    send_text(texts, WANG, "1")  # the next text takes the next open one
    assert confirmed(database, older)[1] == "sms"
    assert "没有需要您确认的事项" in send_text(texts, WANG, "1")


FULL_WIDTH_1, FULL_WIDTH_OK = "\uff11", "\uff2f\uff2b"


@pytest.mark.parametrize(
    "word", ["好", "确认", "ok", "OK", " Ok \n", FULL_WIDTH_1, FULL_WIDTH_OK, "好！", "OK."]
)
def test_each_confirmation_word_confirms(
    texts: WebhookClient, database: Database, world: Any, word: str
) -> None:
    asked = ask_to_confirm(database, "wang-li", "city", now() - timedelta(minutes=5))
    assert "已确认" in send_text(texts, WANG, word)
    assert confirmed(database, asked)[1] == "sms"


@pytest.mark.parametrize("word", ["YES", "STOP", "START", "HELP", "2", "好的吗", "", "OK OK"])
def test_twilios_keywords_and_other_words_are_not_confirmations(
    texts: WebhookClient, database: Database, world: Any, word: str
) -> None:
    asked = ask_to_confirm(database, "wang-li", "city", now() - timedelta(minutes=5))
    assert send_text(texts, WANG, word) == "【热线】回复 1 或“确认”以确认最近一条通知。"
    assert confirmed(database, asked) == (None, None)


def test_a_supervisors_ok_acknowledges_the_newest_open_alert_and_escalation_stops(
    texts: WebhookClient, database: Database, world: Any, sue: dict[str, Any]
) -> None:
    at = now() - timedelta(minutes=3)
    older = raise_risk(database, world, "city", at - timedelta(minutes=1))
    newer = raise_risk(database, world, "city", at)
    answer = send_text(texts, SUE_PHONE, "OK", to=CITY)
    assert answer == f"【热线】已确认高风险提醒 #{newer}（慈溪市心理援助热线）。"
    with database.write() as writing:
        escalate_due(writing, at + timedelta(hours=1), PUBLIC_URL)
        found = {a.id: (a.level, a.acknowledged_by_id) for a in writing.scalars(select(RiskAlert))}
    assert found == {older: (1, None), newer: (0, sue["id"])}  # the acknowledged one stopped
    assert ("sue", "alerts.acknowledge", str(newer), "sms") in audit_trail(database)


def test_a_text_with_nothing_open_says_so(
    texts: WebhookClient, database: Database, world: Any, sue: dict[str, Any]
) -> None:
    done = ask_to_confirm(database, "li-na", "city", now() - timedelta(hours=9))  # shift over
    assert send_text(texts, "+8613900000003", "1") == "【热线】目前没有需要您确认的事项。"
    assert confirmed(database, done) == (None, None)
    assert "nothing open" in send_text(texts, SUE_PHONE, "OK", to=SCHOOL)


def test_an_alert_sent_to_a_counselors_phone_is_not_theirs_to_acknowledge(
    texts: WebhookClient, database: Database, world: Any
) -> None:
    alert_id = raise_risk(database, world, "city", now() - timedelta(minutes=20))
    with database.write() as writing:
        doctor = writing.scalars(select(Counselor).where(Counselor.key == "li-na")).one()
        queue_text(
            writing,
            f"risk-alert:{alert_id}:L2",
            [Recipient("counselor-li-na", "zh-CN", doctor.phone, None, counselor_id=doctor.id)],
            "risk-alert-psychiatrist",
            now(),
            urgent=True,
            hotline_id=world.ids(Hotline, "city"),
            alert_id=alert_id,
            line="慈溪市心理援助热线",
            alert=alert_id,
            minutes=20,
        )
        sent(writing, alert_id=alert_id)
    assert "没有需要您确认的事项" in send_text(texts, doctor.phone, "1")
    with database.read() as reading:
        alert = reading.get(RiskAlert, alert_id)
        assert alert is not None
        assert alert.acknowledged_at is None


@contextmanager
def statements_seen(engine: Engine) -> Iterator[list[str]]:
    """Every statement and its parameters as the database server receives them."""
    seen: list[str] = []

    def record(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append(f"{statement} {parameters!r}")

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def everything_stored(database: Database) -> str:
    with database.read() as reading:
        tables = [reading.execute(table.select()).all() for table in Base.metadata.sorted_tables]
    return repr(tables)


CITY_REPLY = (
    "这里是慈溪市心理援助热线。本号码不接收短信，请直接拨打 +8657463898070 与咨询师通话。"
    "如有生命危险，请立即拨打 110 或 120，或全国心理援助热线 12356。"
)
SCHOOL_REPLY = (
    "This is Sunshine School Line. This number cannot take text messages: please call "
    "+8657463898071 to talk to a counselor. In an emergency, call 110 / 120, or the national "
    "helpline 12356 now."
)


@pytest.mark.parametrize(
    ("line", "expected"), [(CITY, CITY_REPLY), (SCHOOL, SCHOOL_REPLY)], ids=["zh-CN", "en"]
)
def test_a_stranger_is_told_where_to_call_and_leaves_nothing_but_a_count(
    texts: WebhookClient,
    database: Database,
    world: Any,
    caplog: pytest.LogCaptureFixture,
    line: str,
    expected: str,
) -> None:
    caplog.set_level(logging.DEBUG)
    with statements_seen(database.engine) as statements:
        assert send_text(texts, STRANGER, "I can't go on", to=line) == expected
    stored = everything_stored(database)
    assert statements, "the statements were seen"
    for trace in TRACES:
        assert trace not in stored
        assert trace not in caplog.text
        assert not [s for s in statements if trace in s]
    line_id = world.ids(Hotline, "city" if line == CITY else "school")
    assert counts(database) == [(line_id, 1)]


def test_texts_from_strangers_add_up_on_the_lines_local_day(
    texts: WebhookClient, database: Database, world: Any
) -> None:
    for sender in (STRANGER, "+8615900000001", "not a number"):
        send_text(texts, sender, "hello", to=CITY)
    with database.read() as reading:
        rows = reading.execute(select(InboundTextCount.day, InboundTextCount.count)).all()
    assert [(day, count) for day, count in rows] == [
        (now().astimezone(ZoneInfo("Asia/Shanghai")).date(), 3)
    ]


def test_a_text_to_a_number_that_is_no_lines_gets_a_generic_english_reply(
    texts: WebhookClient, database: Database, world: Any
) -> None:
    answer = send_text(texts, STRANGER, "help", to=UNKNOWN)
    assert "This number cannot take text messages" in answer
    assert "本号码不接收短信" in answer
    assert "+8657400000000" in answer  # HOTLINE_FALLBACK_NUMBER: a human answers there
    assert "your local emergency number" in answer
    send_text(texts, STRANGER, "help", to=UNKNOWN)
    assert counts(database) == [(None, 2)]


@pytest.mark.parametrize("kind", ENGINES)
def test_strangers_texting_at_once_are_each_counted(
    kind: str, fresh_databases: FreshDatabases
) -> None:
    database = Database.from_url(fresh_databases.url(kind))
    try:
        upgrade(database.engine)
        with database.write() as writing:
            import_configuration(writing, RECORDS_CONFIG, datetime(2026, 1, 1, tzinfo=UTC))
        start = threading.Barrier(8)

        def text(to: str) -> None:
            start.wait()
            with database.write() as writing:
                answer_text(writing, to, STRANGER, "hi", now(), fallback_number=CITY)

        threads = [threading.Thread(target=text, args=(to,)) for to in [CITY, UNKNOWN] * 4]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        found = counts(database)
        assert [count for line, count in found if line is not None] == [4]  # one row, upserted
        assert sum(count for line, count in found if line is None) == 4  # no key: rows add up
    finally:
        database.dispose()


class BrokenDatabase(Database):
    """A database that fails with a driver error echoing the statement's parameters."""

    @contextmanager
    def write(self) -> Iterator[Session]:
        raise RuntimeError(f"server closed the connection [parameters: ('{STRANGER}',)]")
        yield  # a generator, for contextmanager


def test_without_the_database_a_stranger_still_gets_the_reply_and_no_log_names_them(
    web_app: Flask, texts: WebhookClient, caplog: pytest.LogCaptureFixture
) -> None:
    current = runtime(web_app)
    current.database = BrokenDatabase(current.database.engine)
    caplog.set_level(logging.DEBUG)
    assert "请直接拨打 +8657463898070" in send_text(texts, STRANGER, "help", to=CITY)
    assert "call +8657463898071" in send_text(texts, STRANGER, "help", to=SCHOOL)
    assert "本号码不接收短信" in send_text(texts, STRANGER, "help", to=UNKNOWN)
    assert "answered without the database: RuntimeError" in caplog.text
    assert not [trace for trace in TRACES if trace in caplog.text]


def test_the_reply_is_escaped_xml(texts: WebhookClient, database: Database) -> None:
    with database.write() as writing:
        line = writing.scalars(select(Hotline).where(Hotline.key == "school")).one()
        line.name = "Kids & <Teens>"
    answer = send_text(texts, STRANGER, "hi", to=SCHOOL)
    assert answer.startswith("This is Kids & <Teens>.")


def test_a_staff_reply_is_not_counted_with_the_strangers_texts(
    texts: WebhookClient, database: Database, world: Any, sue: dict[str, Any]
) -> None:
    raise_risk(database, world, "city", now() - timedelta(minutes=1))
    send_text(texts, SUE_PHONE, "ok")
    assert counts(database) == []


# --- Replies to an appointment reminder (follow-up care) --------------------------------------

CANARY_TRACES = (CANARY, CANARY[1:], "13800138000", "138 0013 8000", "00138000")
SERVICE_SID = "MG" + "5" * 32
POOL_NUMBER = "+8657463898002"  # a number of that Messaging Service


def post_text(texts: WebhookClient, sender: str, to: str, service: str = "") -> ET.Element:
    params = [
        ("MessageSid", "SM" + "d" * 32),
        ("AccountSid", "AC" + "0" * 32),
        ("From", sender),
        ("To", to),
        ("Body", "谢谢！请问你们是哪里？"),
        ("FromCountry", "CN"),
    ]
    if service:
        params.append(("MessagingServiceSid", service))
    answer = texts.post(URL, params)
    assert (answer.status, answer.content_type) == (200, "text/xml; charset=utf-8")
    return ET.fromstring(answer.body)


def send_a_reminder(database: Database, world: Any, settings: Settings) -> None:
    """A caller's consented reminder, booked and sent to the canary number."""
    care = Care(database, world, DataKeys.of(settings))
    care.book(care.call(), care.session(), CANARY, consent=True)
    [waiting] = care.reminders()
    sms = FakeSms()
    outbound = Sender(database, Outbound(sms, None), PUBLIC_URL, 20, care.keys)
    assert send_due(outbound, waiting.due_at) == {"sent": 1}
    assert [message.to for message in sms.sent] == [CANARY]


@pytest.mark.parametrize(
    ("sms_from", "to", "service"),
    [(SERVICE, SERVICE, ""), (SERVICE_SID, POOL_NUMBER, SERVICE_SID)],
    ids=["from-a-number", "from-a-messaging-service"],
)
def test_a_reply_to_a_reminder_gets_no_answer_and_leaves_nothing_of_the_sender(
    web_app: Flask,
    texts: WebhookClient,
    database: Database,
    world: Any,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
    sms_from: str,
    to: str,
    service: str,
) -> None:
    """Whoever holds the phone may not know the person called a crisis line: the reminder is
    neutral, and its sender answers nothing (no where-to-call, no line's name)."""
    runtime(web_app).settings = dataclasses.replace(settings, sms_from=sms_from)
    send_a_reminder(database, world, settings)
    caplog.set_level(logging.DEBUG)
    before = counts(database), audit_trail(database)
    with statements_seen(database.engine) as statements:
        document = post_text(texts, CANARY, to, service)
    assert (document.tag, list(document)) == ("Response", [])  # no reply at all
    assert (counts(database), audit_trail(database)) == before
    stored = everything_stored(database)
    for trace in CANARY_TRACES:
        assert trace not in stored
        assert trace not in caplog.text
        assert not [s for s in statements if trace in s]
    # A stranger texting a line's own number is still told where to call.
    assert send_text(texts, CANARY, "help", to=CITY) == CITY_REPLY


def test_without_the_database_a_reply_to_the_reminder_sender_still_gets_no_answer(
    web_app: Flask, texts: WebhookClient
) -> None:
    current = runtime(web_app)
    current.database = BrokenDatabase(current.database.engine)
    assert list(post_text(texts, CANARY, SERVICE)) == []
    assert "请直接拨打 +8657463898070" in send_text(texts, CANARY, "help", to=CITY)
