"""Shift confirmations: asked once near the start; unconfirmed 15 minutes after it, told once
(urgently) to the line's operators and the next tier on duty; confirmed, told to nobody."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from hotline.confirmations import WEB, confirm_shift
from hotline.db import Database
from hotline.jobs.env import JobEnv
from hotline.jobs.shift_confirmations import shift_confirmations
from hotline.models import ShiftConfirmation
from settings import Settings
from tests.hotline.shifts.rotas import account, configuration, job_env, load, outbox, weekly

SAVED = datetime(2026, 11, 1, tzinfo=UTC)
MONDAY = "2026-11-30"  # London keeps GMT then: local times are UTC times


def at(clock: str) -> datetime:
    return datetime.fromisoformat(f"{MONDAY}T{clock}").replace(tzinfo=UTC)


def rows(database: Database) -> list[ShiftConfirmation]:
    with database.read() as session:
        found = list(session.scalars(select(ShiftConfirmation).order_by(ShiftConfirmation.id)))
        session.expunge_all()
    return found


def run_at(env: JobEnv, *clocks: str) -> list[dict[str, Any]]:
    return [shift_confirmations(env, at(clock)) for clock in clocks]


# Amy on tier 1 from 09:00, Bob behind her on tier 2 all day, Cai on tier 3.
THREE_TIERS = (
    weekly("mon", "09:00", "17:00", "amy", on=MONDAY)
    + weekly("mon", "00:00", "00:00", "bob", tier=2, on=MONDAY)
    + weekly("mon", "00:00", "00:00", "cai", tier=3, on=MONDAY)
)


@pytest.fixture
def env(database: Database, settings: Settings, cheap_passwords: Any) -> JobEnv:
    load(database, configuration("Europe/London", THREE_TIERS), SAVED)
    account(database, cheap_passwords, "olga", "operator", SAVED, phone="+8613900000091")
    account(database, cheap_passwords, "sue", "supervisor", SAVED, phone="+8613900000092")
    return job_env(database, settings)


def test_a_shift_is_asked_to_be_confirmed_once_half_an_hour_before_it_starts(
    database: Database, env: JobEnv
) -> None:
    run_at(env, "08:25", "08:30", "08:30", "08:35", "08:55", "09:10")
    [row] = rows(database)
    assert (row.tier, row.start, row.end, row.asked_at) == (
        1,
        at("09:00"),
        at("17:00"),
        at("08:30"),
    )
    [asked] = outbox(database)
    assert (asked.kind, asked.address, asked.urgent) == (
        "shift-confirmation",
        "+8613900000021",
        False,
    )
    assert asked.shift_confirmation_id == row.id
    assert "Night Line shift starting 11-30 09:00" in asked.body
    assert "confirm at https://hotline.example.org/" in asked.body


def test_a_shift_never_asked_is_asked_late_only_within_fifteen_minutes_of_its_start(
    database: Database, settings: Settings
) -> None:
    rota = weekly("mon", "08:50", "17:00", "amy", on=MONDAY) + weekly(
        "mon", "09:00", "17:00", "bob", on=MONDAY
    )
    load(database, configuration("Europe/London", rota), SAVED)
    # The scheduler was down until 09:05: Amy started 15 minutes ago (too late), Bob 5.
    assert shift_confirmations(job_env(database, settings), at("09:05"))["asked"] == 1
    assert [m.address for m in outbox(database)] == ["+8613900000022"]


def test_an_unconfirmed_shift_is_told_once_and_urgently_to_operators_and_the_next_tier(
    database: Database, env: JobEnv
) -> None:
    run_at(env, "08:30", "09:14")
    assert outbox(database, "shift-unconfirmed") == []
    results = run_at(env, "09:15", "09:15", "09:20", "10:00")
    assert [r["escalated"] for r in results] == [1, 0, 0, 0]
    told = outbox(database, "shift-unconfirmed")
    # The operator and Bob (tier 2); not the supervisor, not Cai (tier 3), not Amy herself.
    assert [(m.address, m.urgent, m.created_at) for m in told] == [
        ("+8613900000091", True, at("09:15")),
        ("+8613900000022", True, at("09:15")),
    ]
    assert (
        "Amy has not confirmed the Night Line tier 1 shift that started 11-30 09:00" in told[0].body
    )
    [row] = rows(database)
    assert (row.escalated_at, row.confirmed_at) == (at("09:15"), None)


def test_a_confirmed_shift_is_told_to_nobody(database: Database, env: JobEnv) -> None:
    run_at(env, "08:30")
    [row] = rows(database)
    with database.write() as session:
        assert confirm_shift(session, row.id, row.counselor_id, WEB, at("08:40")) is not None
    results = run_at(env, "09:15", "09:30", "16:00")
    assert outbox(database, "shift-unconfirmed") == []
    assert sum(r["escalated"] + r["settled"] for r in results) == 0


def test_a_shift_removed_after_it_was_asked_is_settled_without_telling_anyone(
    database: Database, env: JobEnv
) -> None:
    run_at(env, "08:30")
    # At 08:45 Cai takes Amy's shift; Bob stays on tier 2.
    changed = weekly("mon", "09:00", "17:00", "cai", on=MONDAY) + weekly(
        "mon", "00:00", "00:00", "bob", tier=2, on=MONDAY
    )
    load(database, configuration("Europe/London", changed), at("08:45"))
    results = run_at(env, "08:50", "09:15")
    assert [(r["asked"], r["escalated"], r["settled"]) for r in results] == [(1, 0, 0), (0, 1, 1)]
    amy, cai = rows(database)
    assert amy.escalated_at == cai.escalated_at == at("09:15")
    told = outbox(database, "shift-unconfirmed")
    assert {m.shift_confirmation_id for m in told} == {cai.id}
    assert all(m.body.startswith("[Hotline] Cai has not confirmed") for m in told)


def test_a_line_without_links_asks_in_its_language_to_confirm_on_the_start_page(
    database: Database, settings: Settings
) -> None:
    rota = weekly("mon", "09:00", "17:00", "amy", on=MONDAY)
    load(database, configuration("Asia/Shanghai", rota, language="zh-CN", links=False), SAVED)
    shift_confirmations(job_env(database, settings), at("00:30"))  # 08:30 in Shanghai
    [asked] = outbox(database)
    assert asked.body == "【热线】请登录系统首页确认您在 Night Line 11-30 09:00 开始的值班。"
