"""Replies Twilio cannot use: fallback URL with ErrorCode, else "application error" (§1.4-1.5)."""

from __future__ import annotations

import pytest

from tests.webhooks.simulator.simulator_apps import BASE, CALLER, LINE, Answer, TwimlApp, twiml
from webhooks.simulator import HttpReply, Simulator, TransportError
from webhooks.simulator.session import APPLICATION_ERROR

FALLBACK = twiml("<Say>Fallback line</Say>")


@pytest.mark.parametrize(
    ("reply", "code"),
    [
        (Answer("boom", status=500, content_type="text/html"), 11200),
        (Answer("", status=404, content_type="text/html"), 11200),
        (Answer("<Response><Say>x & y</Say></Response>"), 12100),
        (Answer("not xml at all"), 12100),
        (Answer(' <?xml version="1.0"?><Response/>'), 12100),
        (Answer("<Reply><Say>x</Say></Reply>"), 12102),
        (Answer(twiml("<Say>x</Say>"), content_type=None), 12300),
        (Answer(twiml("<Say>x</Say>"), content_type="application/json"), 12300),
        (Answer(twiml("<say>lower case</say>")), 12100),
    ],
    ids=[
        "500",
        "404",
        "raw-ampersand",
        "garbage-as-xml",
        "whitespace-before-declaration",
        "root-not-response",
        "no-content-type",
        "json-content-type",
        "verbs-are-case-sensitive",
    ],
)
def test_an_unusable_reply_goes_to_the_fallback_url_with_the_error(
    reply: Answer, code: int
) -> None:
    app = TwimlApp({"/voice": reply, "/fallback": FALLBACK})
    trace = app.simulator().place_call(CALLER, LINE)
    fallback = app.to("/fallback")[0].form
    assert fallback["ErrorCode"] == str(code)
    assert fallback["ErrorUrl"] == f"{BASE}/voice"
    assert fallback["CallSid"] == trace.call_sid
    assert trace.said == ["Fallback line"]
    assert [error.code for error in trace.errors] == [code]


def test_without_a_fallback_url_the_caller_hears_an_application_error() -> None:
    app = TwimlApp({"/voice": Answer("boom", status=500)})
    trace = app.simulator(fallback_url="").place_call(CALLER, LINE)
    assert trace.said == [APPLICATION_ERROR]
    assert trace.ended_by == "application-error"
    assert trace.requests[0].error_code == 11200


def test_a_failing_fallback_also_ends_in_an_application_error() -> None:
    app = TwimlApp({"/voice": Answer("boom", status=500), "/fallback": Answer("x", status=503)})
    trace = app.simulator().place_call(CALLER, LINE)
    assert [request.kind for request in trace.requests[:2]] == ["incoming", "fallback"]
    assert trace.ended_by == "application-error"


def test_a_failing_action_url_mid_call_also_uses_the_fallback() -> None:
    app = TwimlApp(
        {
            "/voice": twiml('<Dial action="/dial-next">+8613800000001</Dial>'),
            "/dial-next": Answer("boom", status=500),
            "/fallback": FALLBACK,
        }
    )
    trace = app.simulator().place_call(CALLER, LINE)
    fallback = app.to("/fallback")[0].form
    assert fallback["ErrorUrl"] == f"{BASE}/dial-next"
    assert fallback["DialCallStatus"] == "no-answer"
    assert trace.said == ["Fallback line"]


def test_a_text_plain_reply_that_is_not_twiml_is_read_aloud_then_hangs_up() -> None:
    app = TwimlApp({"/voice": Answer("Internal error, sorry", content_type="text/plain")})
    trace = app.simulator().place_call(CALLER, LINE)
    assert trace.said == ["Internal error, sorry"]
    assert trace.ended_by == "hangup"
    assert not app.to("/fallback")


def test_a_text_plain_reply_that_is_twiml_runs_as_twiml() -> None:
    app = TwimlApp({"/voice": Answer(twiml("<Say>Hello</Say>"), content_type="text/plain")})
    assert app.simulator().place_call(CALLER, LINE).said == ["Hello"]


def test_an_unreachable_service_is_error_11205_after_one_retry() -> None:
    class Refusing:
        attempts = 0

        def post(
            self, url: str, form: list[tuple[str, str]] | dict[str, str], headers: dict[str, str]
        ) -> HttpReply:
            self.attempts += 1
            raise TransportError("connection refused")

        def get(self, url: str, headers: dict[str, str]) -> HttpReply:
            raise AssertionError("no GET expected")

    transport = Refusing()
    trace = Simulator(transport, "t", f"{BASE}/voice").place_call(CALLER, LINE)
    assert transport.attempts == 2
    assert trace.errors[0].code == 11205
    assert trace.said == [APPLICATION_ERROR]


def test_a_redirect_reply_is_followed_as_a_get_without_the_parameters() -> None:
    app = TwimlApp(
        {
            "/voice": twiml('<Gather numDigits="1" action="/moved"/>'),
            "/moved": Answer("", status=302, headers={"Location": "/new-home"}),
            "/new-home": lambda form: twiml(f"<Say>Digits: {form.get('Digits', 'lost')}</Say>"),
        }
    )
    trace = app.simulator().place_call(CALLER, LINE, caller_digits=["7"])
    assert trace.said == ["Digits: lost"]
    assert app.to("/new-home")[0].method == "GET"
    assert app.to("/new-home")[0].signature_valid


def test_more_than_ten_redirects_is_error_11215() -> None:
    app = TwimlApp(
        {"/voice": Answer("", status=307, headers={"Location": "/voice"}), "/fallback": FALLBACK}
    )
    trace = app.simulator().place_call(CALLER, LINE)
    assert app.to("/fallback")[0].form["ErrorCode"] == "11215"
    assert len(app.to("/voice")) == 11
    assert trace.said == ["Fallback line"]


def test_a_redirect_loop_in_twiml_is_stopped_by_the_document_guard() -> None:
    app = TwimlApp({"/voice": twiml("<Pause/><Redirect>/voice</Redirect>")})
    trace = app.simulator().place_call(CALLER, LINE, max_documents=12)
    assert trace.loop_detected
    assert len(app.to("/voice")) == 12


def test_a_gather_without_action_re_posts_the_current_url_until_the_guard_stops_it() -> None:
    app = TwimlApp({"/voice": twiml('<Gather numDigits="1"><Say>Press</Say></Gather>')})
    trace = app.simulator().place_call(CALLER, LINE, caller_digits=["1"] * 100)
    assert trace.ended_by == "loop"
    assert len(app.to("/voice")) == 50
    assert app.to("/voice")[1].form["Digits"] == "1"
