"""The simulator signs like Twilio (twilio-voice.md §2.1) and sends Twilio's headers."""

from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from tests.webhooks.simulator.simulator_apps import BASE, CALLER, LINE, TOKEN, TwimlApp, twiml
from webhooks.simulator import (
    USER_AGENT,
    HttpReply,
    WebhookClient,
    compute_signature,
    sign_request,
    signing_url,
)

DOC_PARAMS = {
    "CallSid": "CA1234567890ABCDE",
    "Caller": "+14158675310",
    "Digits": "1234",
    "From": "+14158675310",
    "To": "+18005551212",
}


def test_signature_matches_twilios_documented_example() -> None:
    url = "https://example.com/myapp.php?foo=1&bar=2"
    assert compute_signature("12345", url, DOC_PARAMS) == "L/OH5YylLD5NRKLltdqwSvS0BnU="


def test_signature_matches_the_second_test_vector() -> None:
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {**DOC_PARAMS, "Caller": "+12349013030", "From": "+12349013030"}
    assert compute_signature("12345", url, params) == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="


def test_parameter_order_does_not_change_the_signature() -> None:
    url = "https://example.com/myapp.php?foo=1&bar=2"
    reversed_pairs = list(reversed(DOC_PARAMS.items()))
    assert compute_signature("12345", url, reversed_pairs) == "L/OH5YylLD5NRKLltdqwSvS0BnU="


def test_query_string_is_signed_in_the_order_given() -> None:
    one = compute_signature("12345", "https://example.com/a?x=1&y=2", DOC_PARAMS)
    other = compute_signature("12345", "https://example.com/a?y=2&x=1", DOC_PARAMS)
    assert one != other


@pytest.mark.parametrize(
    ("url", "signed"),
    [
        ("https://example.com/voice#rc=2&ct=1000", "https://example.com/voice"),
        ("https://user:pass@example.com/voice", "https://example.com/voice"),
        ("https://example.com:8443/voice?a=1", "https://example.com/voice?a=1"),
        ("http://127.0.0.1:8000/voice?b=%2F", "http://127.0.0.1:8000/voice?b=%2F"),
    ],
    ids=["fragment", "userinfo", "https-port", "http-port-and-raw-query-kept"],
)
def test_signed_url_drops_fragment_userinfo_and_https_port(url: str, signed: str) -> None:
    assert signing_url(url) == signed


@pytest.mark.parametrize(
    "url",
    [
        "https://hotline.example.org/voice",
        "https://hotline.example.org/dial-next?attempt=2&shift=7",
        "http://127.0.0.1:8000/webhooks/voice/incoming",
        "https://hotline.example.org/a%2Fb?q=%E4%BD%A0%E5%A5%BD",
    ],
)
def test_twilios_own_validator_accepts_the_simulators_signature(url: str) -> None:
    params = {**DOC_PARAMS, "Caller": "+8613900000009", "SpeechResult": "你好"}
    signature = sign_request(TOKEN, url, params)
    assert RequestValidator(TOKEN).validate(url, params, signature)
    assert not RequestValidator("other-token").validate(url, params, signature)


def test_every_request_of_a_call_validates_in_the_service() -> None:
    app = TwimlApp(
        {
            "/voice": twiml('<Gather numDigits="1" action="next?step=2"><Say>Hi</Say></Gather>'),
            "/next": twiml("<Say>Thanks</Say>"),
        }
    )
    app.simulator().place_call(CALLER, LINE, caller_digits=["5"])
    assert [seen.path for seen in app.received] == ["/voice", "/next", "/status"]
    assert all(seen.signature_valid for seen in app.received)


def test_requests_carry_twilios_user_agent_and_a_fresh_idempotency_token() -> None:
    app = TwimlApp({"/voice": twiml("<Redirect>/again</Redirect>"), "/again": twiml()})
    app.simulator().place_call(CALLER, LINE)
    tokens = [seen.headers["I-Twilio-Idempotency-Token"] for seen in app.received]
    assert {seen.headers["User-Agent"] for seen in app.received} == {USER_AGENT}
    assert len(set(tokens)) == len(tokens) == 3
    assert app.received[0].headers["Host"] == "hotline.example.org"


class RecordingTransport:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, dict[str, str]]] = []

    def post(
        self, url: str, form: list[tuple[str, str]] | dict[str, str], headers: dict[str, str]
    ) -> HttpReply:
        self.sent.append(("POST", url, headers))
        return HttpReply(204, "", "")

    def get(self, url: str, headers: dict[str, str]) -> HttpReply:
        self.sent.append(("GET", url, headers))
        return HttpReply(204, "", "")


def test_a_get_webhook_carries_its_parameters_in_the_signed_url() -> None:
    transport = RecordingTransport()
    client = WebhookClient(transport, TOKEN)
    client.send("GET", f"{BASE}/voice?a=1#ct=1000", [("CallSid", "CA1"), ("To", "+1")])
    method, url, headers = transport.sent[0]
    assert (method, url) == ("GET", f"{BASE}/voice?a=1&CallSid=CA1&To=%2B1")
    assert RequestValidator(TOKEN).validate(url, {}, headers["X-Twilio-Signature"])


def test_userinfo_in_a_webhook_url_becomes_basic_auth_and_is_not_sent() -> None:
    transport = RecordingTransport()
    WebhookClient(transport, TOKEN).send("POST", "https://ops:s3cret@example.org/voice", [])
    _, url, headers = transport.sent[0]
    assert url == "https://example.org/voice"
    assert headers["Authorization"] == "Basic b3BzOnMzY3JldA=="
