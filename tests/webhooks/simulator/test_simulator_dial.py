"""<Dial> as Twilio runs it: parallel and sequential ringing, screening, action and fall-through."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from tests.webhooks.simulator.simulator_apps import CALLER, LINE, TwimlApp, twiml
from webhooks.simulator import Behaviour, accept, busy, decline, failed, no_answer, voicemail

A, B, C = "+8613800000001", "+8613800000002", "+8613800000003"
HOTLINE = "+8657400000000"
WHISPER = twiml('<Gather numDigits="1" action="/accept"><Say>Press 1</Say></Gather><Hangup/>')


def accept_on_one(form: Mapping[str, str]) -> str:
    return twiml() if form.get("Digits") == "1" else twiml("<Hangup/>")


def rota_app(*numbers: str, dial_attrs: str = "", whisper: str = WHISPER) -> TwimlApp:
    """One <Dial> of screened <Number>s with an action, as in twilio-voice.md §3.4."""
    nouns = "".join(f'<Number url="/whisper">{number}</Number>' for number in numbers)
    dial = f'<Dial action="/dial-next" callerId="{HOTLINE}" {dial_attrs}>{nouns}</Dial>'
    return TwimlApp(
        {
            "/voice": twiml(dial),
            "/whisper": whisper,
            "/accept": accept_on_one,
            "/dial-next": twiml("<Hangup/>"),
        }
    )


def test_parallel_numbers_first_answer_wins_and_the_others_are_cancelled() -> None:
    app = rota_app(A, B, C)
    trace = app.simulator().place_call(
        CALLER, LINE, {A: accept(after=8), B: accept(after=3), C: no_answer()}
    )
    outcomes = {leg.number: leg.outcome for leg in trace.legs}
    assert outcomes == {A: "canceled", B: "completed", C: "canceled"}
    assert trace.bridged_to == B
    assert [seen.form["To"] for seen in app.to("/whisper")] == [B]


def test_a_voicemail_answering_first_takes_the_call_from_a_counselor() -> None:
    app = rota_app(A, B)
    trace = app.simulator().place_call(CALLER, LINE, {A: voicemail(after=2), B: accept(after=4)})
    voicemail_leg, counselor_leg = trace.legs
    assert voicemail_leg.answered
    assert voicemail_leg.screen_digits == ""
    assert counselor_leg.outcome == "canceled"
    assert not counselor_leg.answered
    action = app.to("/dial-next")[0].form
    assert (action["DialCallStatus"], action["DialBridged"]) == ("completed", "false")
    assert action["DialCallSid"] == voicemail_leg.call_sid


def test_a_screen_that_ends_without_hangup_bridges_even_a_voicemail() -> None:
    no_hangup = twiml('<Gather numDigits="1" action="/accept"><Say>Press 1</Say></Gather>')
    app = rota_app(A, whisper=no_hangup)
    trace = app.simulator().place_call(CALLER, LINE, {A: voicemail(after=2)})
    assert trace.bridged_to == A
    assert app.to("/dial-next")[0].form["DialBridged"] == "true"


def test_a_screen_ending_in_hangup_declines_with_dial_call_status_completed() -> None:
    app = rota_app(A)
    trace = app.simulator().place_call(CALLER, LINE, {A: decline(after=2)})
    action = app.to("/dial-next")[0].form
    assert (action["DialCallStatus"], action["DialBridged"]) == ("completed", "false")
    assert app.to("/accept")[0].form["Digits"] == "9"
    assert trace.legs[0].screen_result == "declined"
    assert trace.bridged_to is None


def test_an_accepting_counselor_keys_one_and_is_bridged() -> None:
    app = rota_app(A)
    trace = app.simulator().place_call(CALLER, LINE, {A: accept(after=4, talk_seconds=300)})
    leg = trace.legs[0]
    assert (leg.screen_digits, leg.bridged, trace.bridged_to) == ("1", True, A)
    action = app.to("/dial-next")[0].form
    assert action["DialBridged"] == "true"
    assert action["CallStatus"] == "in-progress"
    assert int(action["DialCallDuration"]) >= 300
    assert leg.heard == ["Press 1"]


def test_the_screen_request_is_the_child_legs_own() -> None:
    app = rota_app(A)
    trace = app.simulator().place_call(CALLER, LINE, {A: accept()})
    screen = app.to("/whisper")[0].form
    assert screen["CallSid"] == trace.legs[0].call_sid != trace.call_sid
    assert screen["ParentCallSid"] == trace.call_sid
    assert (screen["Direction"], screen["From"], screen["To"]) == ("outbound-dial", HOTLINE, A)
    assert trace.dials[0].caller_id == HOTLINE


@pytest.mark.parametrize(
    ("behaviour", "status"),
    [(busy(), "busy"), (no_answer(), "no-answer"), (failed(), "failed")],
    ids=["busy", "no-answer", "failed"],
)
def test_dial_action_reports_an_unanswered_leg(behaviour: Behaviour, status: str) -> None:
    app = rota_app(A)
    trace = app.simulator().place_call(CALLER, LINE, {A: behaviour})
    action = app.to("/dial-next")[0].form
    assert (action["DialCallStatus"], action["DialBridged"]) == (status, "false")
    assert action["DialCallSid"] == trace.legs[0].call_sid
    assert trace.legs[0].outcome == status


def test_unknown_numbers_do_not_answer() -> None:
    app = rota_app(A)
    app.simulator().place_call(CALLER, LINE, {})
    assert app.to("/dial-next")[0].form["DialCallStatus"] == "no-answer"


def test_a_leg_rings_for_the_timeout_plus_five_seconds() -> None:
    app = rota_app(A, B, dial_attrs='timeout="20"')
    trace = app.simulator().place_call(CALLER, LINE, {A: accept(after=24), B: accept(after=26)})
    assert trace.bridged_to == A
    late = rota_app(A, dial_attrs='timeout="20"')
    late_trace = late.simulator().place_call(CALLER, LINE, {A: accept(after=26)})
    assert late_trace.legs[0].outcome == "no-answer"
    assert late_trace.legs[0].rang_seconds == 25


def test_parallel_dial_without_an_answer_reports_no_answer_over_busy() -> None:
    app = rota_app(A, B)
    app.simulator().place_call(CALLER, LINE, {A: busy(), B: no_answer()})
    assert app.to("/dial-next")[0].form["DialCallStatus"] == "no-answer"


def test_sequential_dial_rings_one_number_after_another() -> None:
    app = rota_app(A, B, C, dial_attrs='sequential="true" timeout="10"')
    trace = app.simulator().place_call(CALLER, LINE, {A: no_answer(), B: busy(), C: accept(3)})
    assert [leg.outcome for leg in trace.legs] == ["no-answer", "busy", "completed"]
    starts = [leg.started_at - trace.dials[0].at for leg in trace.legs]
    assert starts == [0, 15, 17]
    assert trace.bridged_to == C


def test_sequential_dial_stops_at_the_first_answer_even_if_it_declines() -> None:
    app = rota_app(A, B, dial_attrs='sequential="true"')
    trace = app.simulator().place_call(CALLER, LINE, {A: decline(), B: accept()})
    assert [leg.number for leg in trace.legs] == [A]
    assert app.to("/dial-next")[0].form["DialBridged"] == "false"


def test_without_an_action_the_next_verb_runs_after_the_dial() -> None:
    app = TwimlApp(
        {
            "/voice": twiml(
                f"<Dial><Number>{A}</Number></Dial><Say>Nobody came</Say>", "<Say>Bye</Say>"
            )
        }
    )
    trace = app.simulator().place_call(CALLER, LINE, {A: busy()})
    assert trace.said == ["Nobody came", "Bye"]
    assert trace.ended_by == "end-of-document"


def test_verbs_after_a_dial_with_an_action_are_unreachable() -> None:
    app = TwimlApp(
        {
            "/voice": twiml(f'<Dial action="/after"><Number>{A}</Number></Dial><Say>never</Say>'),
            "/after": twiml("<Say>from the action</Say>"),
        }
    )
    trace = app.simulator().place_call(CALLER, LINE, {A: no_answer()})
    assert trace.said == ["from the action"]


def test_a_bare_number_in_dial_is_dialled() -> None:
    app = TwimlApp({"/voice": twiml(f'<Dial action="/after">{A}</Dial>'), "/after": twiml()})
    trace = app.simulator().place_call(CALLER, LINE, {A: accept()})
    assert trace.bridged_to == A
    assert trace.legs[0].caller_id == CALLER  # callerId defaults to the caller's number


def test_a_number_dialled_twice_follows_its_behaviour_sequence() -> None:
    app = TwimlApp(
        {
            "/voice": twiml(f'<Dial action="/again">{A}</Dial>'),
            "/again": lambda form: (
                twiml()
                if form["DialBridged"] == "true"
                else twiml(f'<Dial action="/again">{A}</Dial>')
            ),
        }
    )
    trace = app.simulator().place_call(CALLER, LINE, {A: [no_answer(), accept()]})
    assert [leg.outcome for leg in trace.legs] == ["no-answer", "completed"]


def test_answer_on_bridge_leaves_the_caller_unanswered_until_the_bridge() -> None:
    app = rota_app(A, dial_attrs='answerOnBridge="true"')
    trace = app.simulator().place_call(CALLER, LINE, {A: accept(after=10, talk_seconds=60)})
    status = app.to("/status")[-1].form
    assert trace.status == "completed"
    assert int(status["CallDuration"]) < trace.duration


def test_a_dial_rings_at_most_ten_numbers() -> None:
    numbers = [f"+86138000000{n:02d}" for n in range(12)]
    app = rota_app(*numbers)
    trace = app.simulator().place_call(CALLER, LINE, {numbers[11]: accept()})
    assert len(trace.legs) == 10
    assert trace.bridged_to is None
    assert any("at most 10" in note for note in trace.notes)
