"""Outcomes: saved by the counselor who took the call; high risk flags it and queues alerts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from hotline.models import Call, CallOutcome, Counselor, OutboxMessage, RiskAlert
from hotline.records.outcomes import (
    BadOutcome,
    OutcomeInput,
    own_call,
    repeat_count,
    save_outcome,
    waiting_for_outcome,
)
from hotline.records.scope import Viewer

AT = datetime(2026, 12, 3, 6, 0, tzinfo=UTC)
URL = "https://hotline.example.org"


def outcome(**changes: Any) -> OutcomeInput:
    values: dict[str, Any] = {
        "call_type": "counseling",
        "topics": ("study-pressure",),
        "risk": "low",
        "actions": ("support",),
        "partner": None,
        "caller_type": "student",
        "age_band": "15-17",
        "note": "",
    }
    return OutcomeInput(**{**values, **changes})


def counselor_viewer(world: Any, key: str) -> Viewer:
    return Viewer(key, "counselor", counselor_id=world.ids(Counselor, key))


def save(world: Any, call_id: int, data: OutcomeInput) -> Any:
    with world.database.write() as writing:
        call = writing.get(Call, call_id)
        return save_outcome(writing, call, data, AT, note_max=4000, public_url=URL)


def test_only_the_counselor_who_took_the_call_may_enter_its_outcome(world: Any) -> None:
    call_id = world.call("city", AT, counselor="wang-li")
    with world.database.read() as reading:
        assert own_call(reading, counselor_viewer(world, "wang-li"), call_id) is not None
        assert own_call(reading, counselor_viewer(world, "li-na"), call_id) is None
        assert own_call(reading, Viewer("sue", "supervisor"), call_id) is None


def test_a_saved_outcome_takes_the_call_off_the_waiting_list(world: Any) -> None:
    first = world.call("city", AT, counselor="wang-li")
    second = world.call("city", AT + timedelta(hours=1), counselor="wang-li")
    me = counselor_viewer(world, "wang-li")
    with world.database.read() as reading:
        assert [w.call_id for w in waiting_for_outcome(reading, me)] == [second, first]
    save(world, first, outcome())
    with world.database.read() as reading:
        assert [w.call_id for w in waiting_for_outcome(reading, me)] == [second]


def test_the_note_is_scrubbed_before_it_is_stored(world: Any) -> None:
    call_id = world.call("city", AT, counselor="wang-li")
    save(world, call_id, outcome(note="回电 13800138000 或 a@b.cn"))
    with world.database.read() as reading:
        note = reading.scalar(select(CallOutcome.note).where(CallOutcome.call_id == call_id))
    assert note == "回电 [电话/phone] 或 [邮箱/e-mail]"


@pytest.mark.parametrize("risk", ["high", "imminent"])
def test_high_risk_flags_the_call_and_alerts_each_supervisor_of_the_line_once(
    world: Any, risk: str
) -> None:
    city = world.user("sue", "supervisor", hotlines=("city",), phone="+8613900000099")
    world.user("all", "supervisor", email="all@example.org")
    world.user("school", "supervisor", hotlines=("school",))
    call_id = world.call("city", AT, counselor="wang-li")
    assert save(world, call_id, outcome(risk=risk)).alerts_queued == 2
    assert save(world, call_id, outcome(risk=risk, note="edited")).alerts_queued == 0
    with world.database.read() as reading:
        rows = reading.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        flagged = reading.scalar(select(CallOutcome.flagged).where(CallOutcome.call_id == call_id))
        sent = [(m.recipient_user_id, m.channel, m.state, str(call_id) in m.body) for m in rows]
    assert flagged is True
    assert sent[0] == (city["id"], "sms", "pending", True)
    assert [s[1:] for s in sent[1:]] == [("email", "pending", True)]


def test_moderate_risk_queues_no_alert(world: Any) -> None:
    world.user("sue", "supervisor")
    call_id = world.call("city", AT, counselor="wang-li")
    assert save(world, call_id, outcome(risk="moderate")).alerts_queued == 0


def test_a_high_risk_call_on_a_line_without_supervisors_still_opens_its_alert(world: Any) -> None:
    call_id = world.call("school", AT, counselor="he-fang")
    saved = save(world, call_id, outcome(risk="imminent"))
    assert (saved.alerts_queued, saved.alert_open) == (0, True)
    with world.database.read() as reading:
        alert = reading.scalar(select(RiskAlert).where(RiskAlert.call_id == call_id))
        assert alert is not None
        assert alert.level == 0


@pytest.mark.parametrize(
    "data",
    [
        outcome(actions=("referral",)),
        outcome(actions=("support",), partner="kangning"),
        outcome(actions=("referral",), partner="no-such-hospital"),
        outcome(risk="extreme"),
        outcome(topics=("'); DROP TABLE calls;--",)),
    ],
    ids=[
        "referral-without-partner",
        "partner-without-referral",
        "unknown-partner",
        "unknown-risk",
        "injected-topic",
    ],
)
def test_values_outside_the_vocabulary_are_refused(world: Any, data: OutcomeInput) -> None:
    call_id = world.call("city", AT, counselor="wang-li")
    with pytest.raises(BadOutcome):
        save(world, call_id, data)


def test_a_referral_names_a_partner_hospital_of_the_configured_list(world: Any) -> None:
    call_id = world.call("city", AT, counselor="wang-li")
    saved = save(world, call_id, outcome(actions=("referral",), partner="kangning"))
    assert saved.outcome.partner_id is not None


def test_repeat_count_finds_earlier_calls_under_either_key_within_thirty_days(world: Any) -> None:
    new, old = "v2:NEWNEWNEWNEWNEWNEWNEWNEWNE", "v1:OLDOLDOLDOLDOLDOLDOLDOLDOL"
    world.call("city", AT - timedelta(days=40), caller=old)  # too long ago
    world.call("city", AT - timedelta(days=20), caller=old)  # before the key rotation
    world.call("school", AT - timedelta(days=2), caller=new, caller_link=old)
    world.call("city", AT - timedelta(days=1), caller="v2:SOMEONEELSESOMEONEELSESOME")
    this = world.call("city", AT, caller=new, caller_link=old, counselor="wang-li")
    with world.database.read() as reading:
        assert repeat_count(reading, reading.get(Call, this)) == 2


def test_withheld_callers_get_no_repeat_count(world: Any) -> None:
    world.call("city", AT - timedelta(days=1), caller="withheld")
    this = world.call("city", AT, caller="withheld", counselor="wang-li")
    with world.database.read() as reading:
        assert repeat_count(reading, reading.get(Call, this)) is None
