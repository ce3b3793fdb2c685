"""Status callbacks (§5) and the caller hanging up: unordered, repeated, lost, mid-dial."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from tests.webhooks.simulator.simulator_apps import CALLER, LINE, TwimlApp, twiml
from webhooks.simulator import StatusEvent, accept, busy, no_answer
from webhooks.simulator.trace import CallTrace

A, B = "+8613800000001", "+8613800000002"
EVENTS = 'statusCallback="/status" statusCallbackEvent="initiated ringing answered completed"'


def dial_app(*numbers: str, action: str = ' action="/dial-next"') -> TwimlApp:
    nouns = "".join(f"<Number {EVENTS}>{number}</Number>" for number in numbers)
    return TwimlApp(
        {
            "/voice": twiml("<Say>Hello</Say>", f"<Dial{action}>{nouns}</Dial>"),
            "/dial-next": twiml("<Hangup/>"),
        }
    )


def statuses(trace: CallTrace, call_sid: str) -> list[tuple[str | None, str | None]]:
    return [
        (cb.param("CallStatus"), cb.param("SequenceNumber"))
        for cb in trace.callbacks
        if cb.call_sid == call_sid
    ]


def test_the_parent_call_reports_completed_once_at_the_end() -> None:
    app = TwimlApp({"/voice": twiml("<Say>Hello</Say>", "<Pause length='4'/>")})
    trace = app.simulator().place_call(CALLER, LINE)
    (status,) = app.to("/status")
    assert status.form["CallStatus"] == "completed"
    assert status.form["CallDuration"] == str(round(trace.duration))
    assert status.form["CallbackSource"] == "call-progress-events"
    assert status.form["SequenceNumber"] == "0"
    assert parsedate_to_datetime(status.form["Timestamp"]).utcoffset() is not None
    assert status.signature_valid


def test_child_legs_report_each_requested_event_in_sequence() -> None:
    app = dial_app(A)
    trace = app.simulator().place_call(CALLER, LINE, {A: accept(after=3, talk_seconds=30)})
    leg = trace.legs[0].call_sid
    assert statuses(trace, leg) == [
        ("initiated", "0"),
        ("ringing", "1"),
        ("in-progress", "2"),
        ("completed", "3"),
    ]
    completed = trace.callbacks[3].form
    assert completed["ParentCallSid"] == trace.call_sid
    assert completed["CallDuration"] == "30"


def test_a_number_without_status_callback_events_reports_only_completion() -> None:
    app = TwimlApp({"/voice": twiml('<Dial><Number statusCallback="/status">+861</Number></Dial>')})
    trace = app.simulator(status_callback_url="").place_call(CALLER, LINE, {"+861": busy()})
    assert [cb.param("CallStatus") for cb in trace.callbacks] == ["busy"]


def test_a_cancelled_parallel_leg_reports_canceled() -> None:
    app = dial_app(A, B)
    trace = app.simulator().place_call(CALLER, LINE, {A: accept(after=2), B: accept(after=9)})
    assert statuses(trace, trace.legs[1].call_sid)[-1] == ("canceled", "2")


def test_callbacks_are_sent_as_they_fire_so_the_child_completes_before_the_action() -> None:
    app = dial_app(A)
    trace = app.simulator().place_call(CALLER, LINE, {A: no_answer()})
    kinds = [(r.kind, r.param("CallStatus")) for r in trace.requests]
    assert kinds.index(("status-callback", "no-answer")) < kinds.index(
        ("dial-action", "in-progress")
    )


def test_callbacks_can_arrive_reversed_after_everything_else() -> None:
    app = dial_app(A)
    trace = app.simulator().place_call(CALLER, LINE, {A: accept()}, callback_order="reverse")
    assert [r.kind for r in trace.requests][-5:] == ["status-callback"] * 5
    sequence = [
        cb.param("SequenceNumber") for cb in trace.callbacks if cb.call_sid != trace.call_sid
    ]
    assert sequence == ["3", "2", "1", "0"]


def test_shuffled_callbacks_are_reproducible_with_a_seed() -> None:
    def order(seed: int) -> list[str]:
        app = dial_app(A, B)
        phones = {A: accept(after=2), B: accept(after=5)}
        trace = app.simulator().place_call(
            CALLER, LINE, phones, callback_order="shuffled", seed=seed
        )
        return [f"{cb.param('To')}:{cb.param('SequenceNumber')}" for cb in trace.callbacks]

    assert order(7) == order(7)
    assert sorted(order(7)) == sorted(order(8))


def test_duplicated_callbacks_repeat_token_and_sequence_number() -> None:
    app = dial_app(A)
    trace = app.simulator().place_call(CALLER, LINE, {A: busy()}, duplicate_callbacks=True)
    first, second = trace.callbacks[0], trace.callbacks[1]
    assert first.token == second.token
    assert first.params == second.params
    assert len(trace.callbacks) == 2 * 3  # initiated, busy, the parent's completed


def test_dropped_callbacks_never_reach_the_service() -> None:
    app = dial_app(A)

    def lose_child_completion(event: StatusEvent) -> bool:
        return event.event == "completed" and event.param("ParentCallSid") is not None

    trace = app.simulator().place_call(
        CALLER, LINE, {A: accept()}, drop_callbacks=lose_child_completion
    )
    sent = [seen.form["CallStatus"] for seen in app.to("/status")]
    assert sent == ["initiated", "ringing", "in-progress", "completed"]
    assert app.to("/status")[-1].form["CallSid"] == trace.call_sid
    assert len(trace.dropped_callbacks) == 1


def test_the_caller_hanging_up_while_it_rings_cancels_the_legs_and_still_fires_the_action() -> None:
    app = dial_app(A, B)
    trace = app.simulator().place_call(
        CALLER, LINE, {A: accept(after=20)}, caller_hangs_up_after=10
    )
    assert [leg.outcome for leg in trace.legs] == ["canceled", "canceled"]
    action = app.to("/dial-next")[0].form
    assert (action["CallStatus"], action["DialBridged"]) == ("completed", "false")
    assert (trace.ended_by, trace.status, trace.duration) == ("caller-hangup", "completed", 10)


def test_the_dial_action_after_a_caller_hangup_can_be_switched_off() -> None:
    app = dial_app(A)
    trace = app.simulator().place_call(
        CALLER,
        LINE,
        {A: accept(after=2)},
        caller_hangs_up_after=30,
        dial_action_after_caller_hangup=False,
    )
    assert not app.to("/dial-next")
    assert trace.legs[0].bridged
    assert trace.legs[0].outcome == "completed"
    assert trace.legs[0].ended_at == 30


def test_a_caller_hanging_up_before_an_answer_on_bridge_dial_connects_is_canceled() -> None:
    app = TwimlApp({"/voice": twiml(f'<Dial answerOnBridge="true">{A}</Dial>')})
    trace = app.simulator().place_call(CALLER, LINE, {A: no_answer()}, caller_hangs_up_after=8)
    assert trace.status == "canceled"
    assert app.to("/status")[0].form["CallStatus"] == "canceled"
