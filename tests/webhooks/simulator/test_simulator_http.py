"""`HttpTransport` against a real local server: the same call as in-process, over a socket."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import BaseWSGIServer, make_server

from tests.webhooks.simulator.simulator_apps import CALLER, LINE, TOKEN, Answer, TwimlApp, twiml
from webhooks.simulator import HttpTransport, Simulator, TransportError, WebhookClient, accept

A = "+8613800000001"


@pytest.fixture
def served() -> Iterator[tuple[TwimlApp, str]]:
    app = TwimlApp(
        {
            "/voice": twiml(f'<Say>你好</Say><Dial action="/after"><Number>{A}</Number></Dial>'),
            "/after": twiml("<Hangup/>"),
            "/moved": Answer("", status=302, headers={"Location": "/after"}),
        }
    )
    server: BaseWSGIServer = make_server("127.0.0.1", 0, app.app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    app.public_base = f"http://127.0.0.1:{server.server_port}"
    try:
        yield app, app.public_base
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_call_over_http_is_signed_with_the_port_and_followed(
    served: tuple[TwimlApp, str],
) -> None:
    app, base = served
    simulator = Simulator(HttpTransport(), TOKEN, f"{base}/voice", f"{base}/status")
    trace = simulator.place_call(CALLER, LINE, {A: accept()})
    assert trace.said == ["你好"]
    assert trace.bridged_to == A
    assert [seen.path for seen in app.received] == ["/voice", "/after", "/status"]
    assert app.received[0].headers["Host"] == base.removeprefix("http://")
    assert all(seen.signature_valid for seen in app.received)


def test_http_transport_hands_redirects_back_unfollowed(served: tuple[TwimlApp, str]) -> None:
    _, base = served
    reply = WebhookClient(HttpTransport(), TOKEN).post(f"{base}/moved", [("CallSid", "CA1")])
    assert (reply.status, reply.location) == (302, "/after")


def test_a_refused_connection_is_a_transport_error_11205() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TransportError) as raised:
        HttpTransport(timeout=2).post(f"http://127.0.0.1:{port}/voice", [], {})
    assert raised.value.code == 11205
