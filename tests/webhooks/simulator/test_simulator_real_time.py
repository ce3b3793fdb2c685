"""Real time: handed a `sleep`, the simulator lets each step of simulated time pass for real
between its requests, so a service that stamps its own clock sees the real waits and rings."""

from __future__ import annotations

from collections.abc import Mapping

from tests.webhooks.simulator.simulator_apps import CALLER, LINE, TwimlApp, twiml
from webhooks.simulator import accept

COUNSELOR = "+8613800000001"


def screened_call() -> TwimlApp:
    dial = f'<Dial action="/after" timeout="20"><Number url="/screen">{COUNSELOR}</Number></Dial>'
    gather = '<Gather numDigits="1" action="/accept"><Say>Press 1</Say></Gather><Hangup/>'

    def accepted(form: Mapping[str, str]) -> str:
        return twiml() if form.get("Digits") == "1" else twiml("<Hangup/>")

    return TwimlApp(
        {"/voice": twiml(dial), "/screen": twiml(gather), "/accept": accepted, "/after": twiml()}
    )


def test_each_request_goes_out_after_the_time_before_it_has_passed() -> None:
    app = screened_call()
    clock = [0.0]
    sent_at: dict[str, float] = {}
    original = app._view

    def stamped(path: str):  # type: ignore[no-untyped-def]
        sent_at.setdefault("/" + path, clock[0])
        return original(path)

    app.app.view_functions["any"] = stamped

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    trace = app.simulator().place_call(
        CALLER, LINE, {COUNSELOR: accept(after=6, talk_seconds=30)}, sleep=sleep
    )
    assert sent_at["/voice"] == 0.0
    assert sent_at["/screen"] == 6.0  # the phone rang for 6 s before the screen was fetched
    assert sent_at["/after"] >= 36.0  # and the call lasted as long as the talk
    assert clock[0] == trace.duration
