"""Whole calls through the webhooks, placed by the Twilio simulator: every call reaches a human
or, when nothing at all is left to dial, hears the closing message."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Call, CallAttempt, Counselor
from hotline.runtime import runtime
from tests.webhooks.conftest import (
    CANARY,
    CITY,
    CITY_FALLBACK,
    PHONES,
    SCHOOL,
)
from webhooks.simulator import Simulator, accept, busy, decline, no_answer, voicemail


def _call(session: Session, sid: str) -> Call:
    call = session.scalar(select(Call).where(Call.call_sid == sid))
    assert call is not None
    return call


def _attempts(session: Session, call: Call) -> list[tuple[str, str | None]]:
    rows = session.scalars(
        select(CallAttempt).where(CallAttempt.call_id == call.id).order_by(CallAttempt.id)
    )
    return [(row.target, row.result) for row in rows]


def test_the_first_counselor_on_duty_takes_the_call(
    twilio: Simulator, session: Session, app: Flask
) -> None:
    trace = twilio.place_call(CANARY, CITY, {PHONES["wang-li"]: accept()})
    assert trace.bridged_to == PHONES["wang-li"]
    call = _call(session, trace.call_sid)
    assert (call.result, call.status, call.rota_version) == ("answered", "completed", 1)
    assert session.get(Counselor, call.answered_by_id).key == "wang-li"  # type: ignore[union-attr]
    assert _attempts(session, call) == [("wang-li", "bridged")]
    assert call.answered_at is not None
    assert call.ended_at is not None
    assert runtime(app).counters.routing_errors == 0


def test_every_dial_shows_the_hotline_number_and_screens_the_counselor(twilio: Simulator) -> None:
    trace = twilio.place_call(CANARY, CITY, {PHONES["wang-li"]: accept()})
    dial = trace.dials[0]
    assert (dial.caller_id, dial.answer_on_bridge, dial.timeout) == (CITY, True, 20)
    leg = dial.legs[0]
    assert leg.screen_digits == "1"
    assert "慈溪市心理援助热线" in " ".join(leg.heard)
    assert "您好，这里是慈溪市心理援助热线" in trace.said[0]


def test_a_voicemail_never_takes_the_call(twilio: Simulator, session: Session) -> None:
    phones = {PHONES["wang-li"]: voicemail(after=3), PHONES["zhang-wei"]: accept()}
    trace = twilio.place_call(CANARY, CITY, phones)
    assert trace.bridged_to == PHONES["zhang-wei"]
    assert _attempts(session, _call(session, trace.call_sid)) == [
        ("wang-li", "no-key"),
        ("zhang-wei", "bridged"),
    ]


def test_nobody_in_tier_one_rolls_over_to_tier_two(twilio: Simulator, session: Session) -> None:
    phones = {PHONES["wang-li"]: busy(), PHONES["zhang-wei"]: decline(), PHONES["li-na"]: accept()}
    trace = twilio.place_call(CANARY, CITY, phones)
    assert trace.bridged_to == PHONES["li-na"]
    call = _call(session, trace.call_sid)
    assert _attempts(session, call) == [
        ("wang-li", "busy"),
        ("zhang-wei", "declined"),
        ("li-na", "bridged"),
    ]


def test_when_no_counselor_answers_the_fallback_line_is_dialed(
    twilio: Simulator, session: Session
) -> None:
    trace = twilio.place_call(CANARY, CITY, {CITY_FALLBACK: accept()})
    assert trace.bridged_to == CITY_FALLBACK
    assert [leg.number for leg in trace.legs][-1] == CITY_FALLBACK
    call = _call(session, trace.call_sid)
    assert call.result == "fallback"
    assert _attempts(session, call)[-1] == ("fallback", "bridged")


def test_the_closing_message_comes_only_when_nothing_is_left_to_dial(
    twilio: Simulator, session: Session
) -> None:
    trace = twilio.place_call(CANARY, CITY, {})
    assert trace.bridged_to is None
    assert [leg.number for leg in trace.legs] == [
        PHONES["wang-li"], PHONES["zhang-wei"], PHONES["li-na"], CITY_FALLBACK,
    ]  # fmt: skip
    assert "110" in trace.said[-1]
    assert "12356" in trace.said[-1]
    assert _call(session, trace.call_sid).result == "missed"


def test_simultaneous_ringing_rings_the_rest_again_after_a_declined_pickup(
    twilio: Simulator, session: Session
) -> None:
    phones = {
        PHONES["he-fang"]: decline(after=2),
        PHONES["ma-jun"]: accept(after=6),
        PHONES["lin-xue"]: no_answer(),
    }
    trace = twilio.place_call(CANARY, SCHOOL, phones)
    assert [sorted(leg.number for leg in dial.legs) for dial in trace.dials[:2]] == [
        sorted([PHONES["he-fang"], PHONES["ma-jun"], PHONES["lin-xue"]]),
        sorted([PHONES["ma-jun"], PHONES["lin-xue"]]),
    ]
    assert trace.bridged_to == PHONES["ma-jun"]
    assert "Sunshine School Line" in trace.said[0]


def test_a_line_overflows_to_the_next_line_and_records_it(
    twilio: Simulator, session: Session
) -> None:
    trace = twilio.place_call(CANARY, SCHOOL, {PHONES["zhang-wei"]: accept()})
    assert trace.bridged_to == PHONES["zhang-wei"]
    call = _call(session, trace.call_sid)
    assert call.result == "overflowed"
    assert call.answered_line_id != call.hotline_id
    assert [t for t, _ in _attempts(session, call)] == [
        "he-fang", "ma-jun", "lin-xue", "wang-li", "zhang-wei",
    ]  # fmt: skip


def test_a_caller_who_hangs_up_while_ringing_is_abandoned_and_frees_the_counselor(
    twilio: Simulator, session: Session
) -> None:
    trace = twilio.place_call(CANARY, CITY, {}, caller_hangs_up_after=15)
    call = _call(session, trace.call_sid)
    assert call.result == "abandoned"
    assert session.scalar(select(Counselor.busy_call_sid).where(Counselor.key == "wang-li")) is None


def test_repeated_and_reordered_status_callbacks_keep_one_record_and_its_end(
    twilio: Simulator, session: Session
) -> None:
    trace = twilio.place_call(
        CANARY, CITY, {PHONES["wang-li"]: accept(talk_seconds=60)},
        callback_order="reverse", duplicate_callbacks=True,
    )  # fmt: skip
    calls = session.scalars(select(Call).where(Call.call_sid == trace.call_sid)).all()
    assert len(calls) == 1
    assert (calls[0].status, calls[0].result) == ("completed", "answered")
    completed = [c for c in trace.callbacks if c.param("CallStatus") == "completed"]
    assert calls[0].duration_seconds == int(completed[0].param("CallDuration") or -1)


def test_the_raw_number_is_stored_nowhere_only_a_keyed_pseudonym(
    twilio: Simulator, session: Session
) -> None:
    trace = twilio.place_call(CANARY, CITY, {PHONES["wang-li"]: accept()})
    call = _call(session, trace.call_sid)
    assert call.caller.startswith("v2:")
    assert len(call.caller) == len("v2:") + 26
    assert call.caller_link is not None
    assert call.caller_link.startswith("v1:")
    again = twilio.place_call("+86 138-0013-8000", CITY, {PHONES["wang-li"]: accept()})
    assert _call(session, again.call_sid).caller == call.caller


def test_a_withheld_caller_is_routed_like_any_other(twilio: Simulator, session: Session) -> None:
    trace = twilio.place_call("anonymous", CITY, {PHONES["wang-li"]: accept()})
    assert trace.bridged_to == PHONES["wang-li"]
    assert _call(session, trace.call_sid).caller == "withheld"


def test_twiml_always_has_a_dial_before_any_hangup_of_the_caller(twilio: Simulator) -> None:
    trace = twilio.place_call(CANARY, CITY, {})
    for request in trace.requests_to("/webhooks/voice/incoming"):
        verbs = [el.tag for el in ET.fromstring(request.body)]
        assert "Dial" in verbs
