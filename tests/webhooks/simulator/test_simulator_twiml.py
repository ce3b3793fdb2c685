"""The caller's leg: verbs, defaults and URL resolution as twilio-voice.md §1.4 and §4 say."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.webhooks.simulator.simulator_apps import BASE, CALLER, LINE, TwimlApp, twiml
from webhooks.simulator import Behaviour, accept, parse_document
from webhooks.simulator.verbs import Dial, Document, Gather, Say


def test_relative_urls_resolve_against_the_current_documents_url() -> None:
    app = TwimlApp(
        {
            "/voice": twiml("<Redirect>/ivr/menu?lang=zh</Redirect>"),
            "/ivr/menu": twiml('<Gather numDigits="1" action="choice"><Say>Menu</Say></Gather>'),
            "/ivr/choice": twiml("<Redirect>../done</Redirect>"),
            "/done": twiml("<Say>Done</Say>"),
        }
    )
    trace = app.simulator().place_call(CALLER, LINE, caller_digits=["2"])
    paths = [request.path for request in trace.requests if request.kind != "status-callback"]
    assert paths == ["/voice", "/ivr/menu?lang=zh", "/ivr/choice", "/done"]
    assert trace.said == ["Menu", "Done"]


def test_the_first_request_rings_and_later_ones_are_in_progress() -> None:
    app = TwimlApp({"/voice": twiml("<Redirect>/next</Redirect>"), "/next": twiml()})
    app.simulator().place_call(
        CALLER, LINE, extra_params=[("StirVerstat", "TN-Validation-Passed-A")]
    )
    first, second = app.to("/voice")[0].form, app.to("/next")[0].form
    assert (first["CallStatus"], second["CallStatus"]) == ("ringing", "in-progress")
    assert first["Direction"] == "inbound"
    assert first["ApiVersion"] == "2010-04-01"
    assert (first["From"], first["Caller"], first["To"], first["Called"]) == (
        CALLER,
        CALLER,
        LINE,
        LINE,
    )
    assert first["StirVerstat"] == "TN-Validation-Passed-A"
    assert first["CallSid"].startswith("CA")
    assert len(first["CallSid"]) == 34
    assert first["AccountSid"].startswith("AC")
    assert len(first["AccountSid"]) == 34


def test_a_gather_without_input_falls_through_to_the_next_verb() -> None:
    app = TwimlApp(
        {"/voice": twiml('<Gather action="/never"><Say>Press</Say></Gather><Say>No input</Say>')}
    )
    trace = app.simulator().place_call(CALLER, LINE)
    assert trace.said == ["Press", "No input"]
    assert not app.to("/never")


def test_action_on_empty_result_posts_empty_digits() -> None:
    app = TwimlApp(
        {
            "/voice": twiml('<Gather action="/empty" actionOnEmptyResult="true"/>'),
            "/empty": twiml(),
        }
    )
    app.simulator().place_call(CALLER, LINE)
    assert app.to("/empty")[0].form["Digits"] == ""


def test_gather_digits_stop_at_finish_on_key_and_num_digits() -> None:
    app = TwimlApp(
        {
            "/voice": twiml('<Gather action="/a"/>', '<Gather numDigits="2" action="/b"/>'),
            "/a": twiml('<Gather numDigits="2" action="/b"/>'),
            "/b": twiml(),
        }
    )
    app.simulator().place_call(CALLER, LINE, caller_digits=["12#3", "987"])
    assert app.to("/a")[0].form["Digits"] == "12"
    assert app.to("/b")[0].form["Digits"] == "98"


def test_a_gather_with_method_get_sends_digits_in_the_query() -> None:
    app = TwimlApp({"/voice": twiml('<Gather method="GET" action="/g"/>'), "/g": twiml()})
    app.simulator().place_call(CALLER, LINE, caller_digits=["4"])
    (seen,) = app.to("/g")
    assert seen.method == "GET"
    assert "Digits=4" in seen.query
    assert seen.signature_valid


def test_reject_as_the_first_verb_leaves_the_call_unanswered() -> None:
    app = TwimlApp({"/voice": twiml('<Reject reason="busy"/>', "<Say>never</Say>")})
    trace = app.simulator().place_call(CALLER, LINE)
    assert (trace.status, trace.ended_by, trace.said) == ("busy", "reject", [])
    assert app.to("/status")[0].form["CallDuration"] == "0"


def test_reject_after_another_verb_only_hangs_up() -> None:
    app = TwimlApp({"/voice": twiml("<Say>Hi</Say><Reject/>")})
    trace = app.simulator().place_call(CALLER, LINE)
    assert (trace.status, trace.ended_by) == ("completed", "hangup")


def test_say_pause_and_play_advance_the_simulated_clock() -> None:
    app = TwimlApp(
        {"/voice": twiml('<Pause length="3"/><Play loop="2">https://x/a.wav</Play><Say>Hi</Say>')}
    )
    trace = app.simulator().place_call(CALLER, LINE)
    assert [(verb.at, verb.verb) for verb in trace.verbs] == [
        (0, "Pause"),
        (3, "Play"),
        (13, "Say(en-US)"),
    ]
    assert trace.duration == 14


def test_an_empty_response_ends_the_call() -> None:
    trace = TwimlApp({"/voice": twiml()}).simulator().place_call(CALLER, LINE)
    assert (trace.ended_by, trace.duration) == ("end-of-document", 0)


def test_record_posts_the_recording_to_its_action() -> None:
    app = TwimlApp(
        {"/voice": twiml('<Record action="/vm" maxLength="30"/>'), "/vm": twiml("<Hangup/>")}
    )
    trace = app.simulator().place_call(CALLER, LINE, message_seconds=12)
    form = app.to("/vm")[0].form
    assert form["RecordingDuration"] == "12"
    assert form["RecordingSid"].startswith("RE")
    assert "Digits" not in form
    assert trace.duration == 17  # 12 s spoken + 5 s of silence


def test_a_caller_hanging_up_during_record_posts_digits_hangup() -> None:
    app = TwimlApp({"/voice": twiml('<Record action="/vm"/>'), "/vm": twiml()})
    app.simulator().place_call(CALLER, LINE, message_seconds=60, caller_hangs_up_after=20)
    assert app.to("/vm")[0].form["Digits"] == "hangup"


def test_the_call_ends_at_the_four_hour_limit() -> None:
    app = TwimlApp({"/voice": twiml('<Dial action="/x">+861</Dial>'), "/x": twiml()})
    long_talk = Behaviour("accept", after=1, talk_seconds=20_000)
    trace = app.simulator().place_call(CALLER, LINE, {"+861": long_talk})
    assert (trace.ended_by, trace.duration) == ("time-limit", 14400)


def test_verbs_twilio_has_but_the_simulator_does_not_run_are_noted_and_skipped() -> None:
    app = TwimlApp({"/voice": twiml("<Enqueue>q</Enqueue><Say>after</Say>")})
    trace = app.simulator().place_call(CALLER, LINE)
    assert trace.said == ["after"]
    assert any("Enqueue" in note for note in trace.notes)


def test_a_status_callback_event_list_rendered_as_python_is_flagged() -> None:
    bad = "<Dial><Number statusCallbackEvent=\"['initiated', 'answered']\">+861</Number></Dial>"
    doc = parse_document(f"{BASE}/voice", twiml(bad))
    assert isinstance(doc, Document)
    assert isinstance(doc.verbs[0], Dial)
    assert doc.verbs[0].numbers[0].status_callback_events == ()
    assert "statusCallbackEvent" in doc.notes[0]


def test_parsing_applies_twilios_defaults() -> None:
    doc = parse_document(BASE, twiml("<Gather><Say>x</Say></Gather>", "<Dial>+861</Dial>"))
    assert isinstance(doc, Document)
    gather, dial = doc.verbs
    assert gather == Gather(prompts=(Say("x"),))
    assert isinstance(dial, Dial)
    assert (dial.timeout, dial.method, dial.sequential, dial.action) == (30, "POST", False, None)
    assert dial.numbers[0].status_callback_events == ("completed",)


def test_describe_reads_as_a_timeline_of_the_call() -> None:
    app = TwimlApp(
        {
            "/voice": twiml(
                '<Say language="cmn-CN" voice="Polly.Zhiyu-Neural">您好</Say>',
                '<Dial action="/next" timeout="20"><Number url="/screen">+8613800000001</Number>'
                "</Dial>",
            ),
            "/screen": twiml(),
            "/next": twiml("<Hangup/>"),
        }
    )
    trace = app.simulator().place_call(
        CALLER,
        LINE,
        {"+8613800000001": accept(after=4, talk_seconds=60)},
        seed=3,
        start_at=datetime(2026, 12, 1, 8, tzinfo=UTC),
    )
    text = trace.describe()
    assert text.splitlines()[0].startswith(f"00:00 ☎ {CALLER} → {LINE} (CA")
    assert "00:00 Say(cmn-CN) '您好'" in text
    assert "00:01 Dial +8613800000001 (screen) parallel timeout=20+5s" in text
    assert "00:05   ⇄ bridged to +8613800000001" in text
    assert text.splitlines()[-1] == "01:05 ■ hangup · completed · 65 s · bridged to +8613800000001"
    assert trace.describe() == text
