"""`hotline simulate-call` against a live URL: it fails loudly when the service is not there or
refuses its signature, waits in real time by default, and plays a caller who gives up and a
fallback line that answers."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from click.testing import CliRunner, Result

from hotline.cli import cli, simulate
from hotline.cli.context import Services
from hotline.db import Database
from settings import Settings

FALLBACK = "+8657400000000"  # HOTLINE_FALLBACK_NUMBER of the test settings
DIAL_NOBODY = "<Response><Dial timeout='20'><Number>+8613900000001</Number></Dial></Response>"


@contextmanager
def service_answering(status: int, body: str = "<Response/>") -> Iterator[str]:
    """A stand-in for the service: every POST gets `status` and `body` (TwiML)."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def run(settings: Settings, records_db: Database):  # type: ignore[no-untyped-def]
    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, ["simulate-call", *args], obj=Services(settings, records_db))

    return invoke


def test_a_refused_connection_exits_1_asking_whether_the_service_runs_there(run) -> None:  # type: ignore[no-untyped-def]
    url = closed_port_url()
    result = run("city", "--url", url, "--virtual-time")
    assert result.exit_code == 1
    assert f"is the service running at {url}?" in result.output


def test_a_refused_signature_exits_1_naming_the_public_url(run) -> None:  # type: ignore[no-untyped-def]
    with service_answering(403) as url:
        result = run("city", "--url", url, "--virtual-time")
    assert result.exit_code == 1
    assert "answered 403: the signature did not match" in result.output
    assert "Is HOTLINE_PUBLIC_URL the URL the service runs at?" in result.output
    assert f"Is the service running at {url}?" in result.output


def test_the_call_waits_in_real_time_by_default(  # type: ignore[no-untyped-def]
    run, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(simulate, "_sleep", slept.append)
    with service_answering(200, "<Response><Pause length='3'/><Hangup/></Response>") as url:
        live = run("city", "--url", url)
        assert live.exit_code == 0
        assert sum(slept) == pytest.approx(3.0)
        assert "00:00 Pause 3s" in live.output  # followed line by line as it happens
        assert live.output.count("■ hangup") == 1
        slept.clear()
        assert run("city", "--url", url, "--virtual-time").exit_code == 0
    assert slept == []


def test_a_caller_can_hang_up_while_it_rings(run) -> None:  # type: ignore[no-untyped-def]
    with service_answering(200, DIAL_NOBODY) as url:
        result = run("city", "--url", url, "--virtual-time", "--hang-up-after", "7")
    assert result.exit_code == 0, result.output
    assert "■ caller-hangup" in result.output
    assert "7 s · not bridged" in result.output


def test_the_fallback_line_answers_when_asked_to(run) -> None:  # type: ignore[no-untyped-def]
    dial_fallback = f"<Response><Dial><Number>{FALLBACK}</Number></Dial></Response>"
    with service_answering(200, dial_fallback) as url:
        quiet = run("city", "--url", url, "--virtual-time")
        answered = run("city", "--url", url, "--virtual-time", "--fallback-answers")
    assert "not bridged" in quiet.output
    assert f"bridged to {FALLBACK}" in answered.output
