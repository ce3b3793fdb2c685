"""SMS through the real Twilio SDK, its HTTP requests answered by a local server.

Only the host changes: the SDK builds, authenticates and sends the request as it would to Twilio.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from twilio.http.http_client import TwilioHttpClient

from hotline.outbound.port import SendFailure, Sms
from hotline.outbound.twilio_codes import is_retryable_code
from hotline.outbound.twilio_sms import TwilioSms

ACCOUNT = "AC" + "1" * 32
TOKEN = "test-token-abcdef0123456789"
NUMBER = "+8657463898000"
SERVICE = "MG" + "a" * 32
STAFF = "+8613900000001"
CALLBACK = "https://hotline.example.org/webhooks/sms/status"
CREATED = {"sid": "SM" + "2" * 32, "status": "queued", "account_sid": ACCOUNT, "to": STAFF}


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, list[str]]


@dataclass
class FakeTwilio:
    """Answers every request with `status` and `body`, and keeps what it was sent."""

    status: int = 201
    body: str = json.dumps(CREATED)
    seen: list[Seen] = field(default_factory=list)

    def answer(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body if isinstance(body, str) else json.dumps(body)


class Redirecting(TwilioHttpClient):  # type: ignore[misc]  # twilio ships no types
    """The SDK's own HTTP client, sending to `base` instead of https://api.twilio.com."""

    def __init__(self, base: str, timeout: float = 5) -> None:
        super().__init__(timeout=timeout)
        self.base = base

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        parts = urlsplit(url)
        local = f"{self.base}{parts.path}" + (f"?{parts.query}" if parts.query else "")
        return super().request(method, local, *args, **kwargs)


def _handler(fake: FakeTwilio) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode("utf-8"))
            fake.seen.append(Seen("POST", self.path, dict(self.headers.items()), form))
            payload = fake.body.encode("utf-8")
            self.send_response(fake.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep the test output quiet

    return Handler


@pytest.fixture
def fake() -> FakeTwilio:
    return FakeTwilio()


@pytest.fixture
def base(fake: FakeTwilio) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


@contextmanager
def _sms(base: str, sender: str = NUMBER, timeout: float = 5) -> Iterator[TwilioSms]:
    http = Redirecting(base, timeout=timeout)
    try:
        yield TwilioSms(ACCOUNT, TOKEN, sender, http_client=http)
    finally:
        http.session.close()


@pytest.fixture
def sms(base: str) -> Iterator[TwilioSms]:
    with _sms(base) as made:
        yield made


def _failure(sms: TwilioSms, to: str = STAFF) -> SendFailure:
    with pytest.raises(SendFailure) as raised:
        sms.send_sms(Sms(to, "值班提醒", CALLBACK))
    return raised.value


def test_a_message_from_a_number_is_posted_to_the_accounts_messages(
    sms: TwilioSms, fake: FakeTwilio
) -> None:
    accepted = sms.send_sms(Sms(STAFF, "明天 08:00 您值班，请确认。", CALLBACK))

    assert (accepted.reference, accepted.status) == (CREATED["sid"], "queued")
    [request] = fake.seen
    assert request.method == "POST"
    assert request.path == f"/2010-04-01/Accounts/{ACCOUNT}/Messages.json"
    expected_auth = base64.b64encode(f"{ACCOUNT}:{TOKEN}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected_auth}"
    assert request.form == {
        "To": [STAFF],
        "From": [NUMBER],
        "Body": ["明天 08:00 您值班，请确认。"],
        "StatusCallback": [CALLBACK],
    }


def test_a_messaging_service_sends_instead_of_a_number(base: str, fake: FakeTwilio) -> None:
    fake.answer(201, {**CREATED, "status": "accepted"})
    with _sms(base, sender=SERVICE) as sms:
        accepted = sms.send_sms(Sms(STAFF, "hello", None))
        assert accepted.status == "accepted"

    [request] = fake.seen
    assert request.form == {"To": [STAFF], "MessagingServiceSid": [SERVICE], "Body": ["hello"]}


@pytest.mark.parametrize("code", [21211, 21408, 21610, 21612, 21614, 30005, 30006, 30007])
def test_a_number_that_can_never_be_reached_is_not_retried(
    sms: TwilioSms, fake: FakeTwilio, code: int
) -> None:
    fake.answer(
        400,
        {
            "code": code,
            "message": f"The 'To' number {STAFF} is not a valid phone number.",
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": 400,
        },
    )
    failure = _failure(sms)

    assert (failure.code, failure.retryable) == (str(code), False)
    assert STAFF not in failure.describe()
    assert failure.__suppress_context__  # the SDK's message, which quotes the number, stays out


@pytest.mark.parametrize(
    ("status", "body", "code"),
    [
        (429, {"code": 20429, "message": "Too Many Requests", "status": 429}, "20429"),
        (500, {"code": 20500, "message": "An internal server error", "status": 500}, "20500"),
        (503, "<html>Service Unavailable</html>", None),
        (400, {"code": 30003, "message": "Unreachable handset", "status": 400}, "30003"),
    ],
)
def test_too_many_requests_and_server_errors_are_retried(
    sms: TwilioSms, fake: FakeTwilio, status: int, body: Any, code: str | None
) -> None:
    fake.answer(status, body)
    failure = _failure(sms)

    assert (failure.code, failure.retryable) == (code, True)
    assert f"HTTP {status}" in failure.describe()


def test_other_client_errors_such_as_bad_credentials_are_not_retried(
    sms: TwilioSms, fake: FakeTwilio
) -> None:
    fake.answer(401, {"code": 20003, "message": "Authenticate", "status": 401})

    failure = _failure(sms)

    assert (failure.code, failure.retryable) == ("20003", False)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def test_a_refused_connection_is_retried() -> None:
    with _sms(f"http://127.0.0.1:{_free_port()}") as sms:
        failure = _failure(sms)

    assert (failure.code, failure.retryable) == (None, True)
    assert "ConnectionError" in failure.describe()


def test_a_timeout_is_retried() -> None:
    # Listening but never accepting: the request is sent and no answer ever comes.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        with _sms(f"http://127.0.0.1:{silent.getsockname()[1]}", timeout=0.3) as sms:
            failure = _failure(sms)

    assert (failure.code, failure.retryable) == (None, True)
    assert "Timeout" in failure.describe()


def test_the_auth_token_never_shows_in_the_providers_repr(sms: TwilioSms) -> None:
    assert TOKEN not in repr(sms)


@pytest.mark.parametrize(
    ("code", "retryable"),
    [("30003", True), ("30008", True), ("30005", False), ("30007", False), ("", False)],
)
def test_only_unreachable_handsets_and_unknown_errors_in_callbacks_are_retried(
    code: str, retryable: bool
) -> None:
    assert is_retryable_code(code) is retryable
    assert is_retryable_code(None) is False
