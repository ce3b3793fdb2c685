"""Quiet hours: when a window ends (DST nights included), and the outbox holding non-urgent
messages until then while urgent ones go at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from hotline.accounts.users import BadAccount, quiet_hours_of, set_quiet_hours
from hotline.db import Database
from hotline.models import AuditEntry, Counselor, Hotline, OutboxMessage
from hotline.outbound.outbox import Recipient, queue_text
from hotline.outbound.quiet import parse_window, quiet_until
from hotline.outbound.sending import claim
from tests.hotline.web.browser import Browser

LONDON = ZoneInfo("Europe/London")
SHANGHAI = ZoneInfo("Asia/Shanghai")
SYDNEY = ZoneInfo("Australia/Sydney")


def utc(moment: str) -> datetime:
    """`03-29 01:30`: that instant of 2026 in UTC."""
    return datetime.fromisoformat(f"2026-{moment}").replace(tzinfo=UTC)


# (window, zone, at, when it ends or None), instants in UTC. London springs forward on 03-29
# and falls back on 10-25 at 01:00 UTC; Sydney does the opposite, in October and April.
CASES = {
    "a night window, late evening": ("22:00-07:00", LONDON, "01-15 23:00", "01-16 07:00"),
    "a night window, just before it ends": ("22:00-07:00", LONDON, "01-16 06:59", "01-16 07:00"),
    "a night window at its end: over": ("22:00-07:00", LONDON, "01-16 07:00", None),
    "a night window just before it starts": ("22:00-07:00", LONDON, "01-15 21:59", None),
    "a night window at its start": ("22:00-07:00", LONDON, "01-15 22:00", "01-16 07:00"),
    "a day window in Shanghai": ("09:00-17:00", SHANGHAI, "01-15 02:00", "01-15 09:00"),
    "a day window, after it": ("09:00-17:00", SHANGHAI, "01-15 09:30", None),
    "London spring-forward night": ("22:00-07:00", LONDON, "03-28 22:30", "03-29 06:00"),
    "London fall-back night": ("22:00-07:00", LONDON, "10-24 21:30", "10-25 07:00"),
    "end in the skipped hour: later": ("23:00-01:30", LONDON, "03-29 00:15", "03-29 01:30"),
    "end in the repeated hour: first": ("23:00-01:30", LONDON, "10-25 00:15", "10-25 00:30"),
    "repeated hour, second pass: over": ("23:00-01:30", LONDON, "10-25 01:15", None),
    "start in the skipped hour: later": ("01:30-06:00", LONDON, "03-29 01:10", None),
    "Sydney springs forward in October": ("22:00-07:00", SYDNEY, "10-03 12:00", "10-03 20:00"),
    "Sydney falls back in April": ("22:00-07:00", SYDNEY, "04-04 12:00", "04-04 21:00"),
}


@pytest.mark.parametrize(("window", "zone", "at", "ends"), CASES.values(), ids=CASES.keys())
def test_a_quiet_window_ends_at_its_wall_clock_end_by_the_dst_rule(
    window: str, zone: ZoneInfo, at: str, ends: str | None
) -> None:
    assert quiet_until(window, zone, utc(at)) == (utc(ends) if ends else None)


NIGHTS = {
    "an ordinary night": (utc("01-15 23:00"), 9),
    "the spring-forward night": (utc("03-28 23:00"), 8),
    "the fall-back night": (utc("10-24 22:00"), 10),
}


@pytest.mark.parametrize(("at", "hours"), NIGHTS.values(), ids=NIGHTS.keys())
def test_a_london_night_from_22_to_7_lasts_9_hours_or_8_or_10_on_dst_nights(
    at: datetime, hours: int
) -> None:
    ends = quiet_until("22:00-07:00", LONDON, at)
    assert ends is not None
    starts = at.astimezone(LONDON).replace(hour=22, minute=0).astimezone(UTC)
    assert ends - starts == timedelta(hours=hours)


@pytest.mark.parametrize("text", ["25:00-07:00", "22:00-22:00", "2200-0700", "22:00", ""])
def test_a_window_that_is_malformed_or_never_ends_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"22:00-07:00|must end"):
        parse_window(text)


NOW = utc("01-15 23:00")  # 23:00 in London, 07:00 in Shanghai
MORNING = utc("01-16 07:00")  # 07:00 in London


def queue(db: Database, occasion: str, person: Recipient, *, urgent: bool, line: int) -> str:
    with db.write() as writing:
        queue_text(
            writing,
            occasion,
            [person],
            "shift-reminder",
            NOW,
            urgent=urgent,
            hotline_id=line,
            line="school",
            tier=1,
            start="08:00",
            end="17:00",
        )
    return f"{occasion}:{person.ref}:sms"


def claimed(db: Database, at: datetime) -> list[str]:
    with db.write() as writing:
        ids = [m.id for m in claim(writing, at, budget_per_day=20)]
        return list(writing.scalars(select(OutboxMessage.key).where(OutboxMessage.id.in_(ids))))


def due_at(db: Database, key: str) -> tuple[str, datetime]:
    with db.read() as reading:
        row = reading.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
        assert row is not None
        return row.state, row.due_at


def line(world: Any, key: str) -> int:
    return int(world.ids(Hotline, key))


def quiet_user(world: Any, name: str, role: str, timezone: str | None, **options: Any) -> int:
    user = world.user(name, role, phone="+447700900123", **options)
    with world.database.write() as writing:
        set_quiet_hours(writing, user["id"], "22:00-07:00", timezone, NOW, actor="test")
    return int(user["id"])


def test_a_non_urgent_message_waits_for_the_end_of_quiet_hours_and_goes_then(
    world: Any, database: Database
) -> None:
    user_id = quiet_user(world, "sue", "supervisor", "Europe/London")
    sue = Recipient(f"user-{user_id}", "en", "+447700900123", None, user_id=user_id)
    key = queue(database, "reminder", sue, urgent=False, line=line(world, "school"))
    assert claimed(database, NOW) == []
    assert due_at(database, key) == ("pending", MORNING)  # held, not dropped
    assert claimed(database, MORNING - timedelta(minutes=1)) == []
    assert claimed(database, MORNING) == [key]


def test_an_urgent_message_ignores_quiet_hours(world: Any, database: Database) -> None:
    user_id = quiet_user(world, "sue", "supervisor", "Europe/London")
    sue = Recipient(f"user-{user_id}", "en", "+447700900123", None, user_id=user_id)
    key = queue(database, "alarm", sue, urgent=True, line=line(world, "school"))
    assert claimed(database, NOW) == [key]


def test_a_counselors_quiet_hours_come_from_their_account_in_the_zone_of_the_line(
    world: Any, database: Database
) -> None:
    # No zone of their own: the message's line (Shanghai) decides; 07:00 there has no quiet.
    quiet_user(world, "wang", "counselor", None, counselor="wang-li")
    counselor_id = world.ids(Counselor, "wang-li")
    wang = Recipient("counselor-1", "zh-CN", "+8613900000001", None, counselor_id=counselor_id)
    in_shanghai = queue(database, "city", wang, urgent=False, line=line(world, "city"))
    in_london = queue(database, "school", wang, urgent=False, line=line(world, "school"))
    assert claimed(database, NOW) == [in_shanghai]
    assert due_at(database, in_london) == ("pending", MORNING)


def test_a_person_without_quiet_hours_is_never_held(world: Any, database: Database) -> None:
    user = world.user("olga", "operator", phone="+447700900124")
    olga = Recipient("olga", "en", "+447700900124", None, user_id=user["id"])
    key = queue(database, "routine", olga, urgent=False, line=line(world, "school"))
    assert claimed(database, NOW) == [key]


def test_quiet_hours_that_never_end_or_an_unknown_zone_are_refused(
    world: Any, database: Database
) -> None:
    user = world.user("sue", "supervisor")
    with database.write() as writing, pytest.raises(BadAccount, match=r"must end.*IANA"):
        set_quiet_hours(writing, user["id"], "22:00-22:00", "Mars/Olympus", NOW, actor="sue")


def test_a_user_sets_their_quiet_hours_and_zone_on_the_account_page_audited(
    web_app: Flask, world: Any
) -> None:
    browser = Browser(web_app)
    user = world.user("wang", "counselor", counselor="wang-li")
    browser.sign_in(user)
    chosen = {"quiet_start": "22:00", "quiet_end": "07:30", "timezone": "Europe/London"}
    assert browser.post("/account", chosen).status_code == 302
    page = browser.get("/account").text
    assert '<option selected value="07:30">' in page
    assert '<option selected value="Europe/London">' in page
    with world.database.read() as reading:
        assert quiet_hours_of(reading, user["id"]) == ("22:00-07:30", "Europe/London")
        entry = reading.execute(
            select(AuditEntry.actor, AuditEntry.target, AuditEntry.detail).where(
                AuditEntry.action == "user.quiet_hours"
            )
        ).one()
    detail = {"quiet_hours": "22:00-07:30", "timezone": "Europe/London"}
    assert tuple(entry) == ("wang", "wang", detail)
    cleared = {"quiet_start": "", "quiet_end": "", "timezone": ""}
    assert browser.post("/account", cleared).status_code == 302
    with world.database.read() as reading:
        assert quiet_hours_of(reading, user["id"]) == (None, None)


@pytest.mark.parametrize(
    "chosen",
    [
        {"quiet_start": "22:00", "quiet_end": "", "timezone": ""},
        {"quiet_start": "22:00", "quiet_end": "22:00", "timezone": ""},
        {"quiet_start": "22:00", "quiet_end": "07:00", "timezone": "Mars/Olympus"},
        {"quiet_start": "22:07", "quiet_end": "07:00", "timezone": ""},
    ],
    ids=["one time only", "never ends", "unknown zone", "not a listed time"],
)
def test_quiet_hours_the_form_cannot_take_are_refused_and_nothing_is_saved(
    web_app: Flask, world: Any, chosen: dict[str, str]
) -> None:
    browser = Browser(web_app)
    user = world.user("wang", "counselor", counselor="wang-li")
    browser.sign_in(user)
    answer = browser.post("/account", chosen)
    assert answer.status_code == 400
    assert 'class="error"' in answer.text
    with world.database.read() as reading:
        assert quiet_hours_of(reading, user["id"]) == (None, None)
