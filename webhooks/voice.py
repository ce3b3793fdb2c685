"""The Twilio voice webhooks: signature -> form -> one routing service call -> TwiML.

Whatever fails while routing (database down, a corrupt row, a bug), the caller still gets
TwiML to the fallback line; the call is spooled without caller data, counted and logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from flask import Blueprint, Response, request

from hotline import clock
from hotline.routing.calls import dial_ended, route_incoming
from hotline.routing.decisions import Hangup, Instruction
from hotline.routing.inputs import DialOutcome, StatusReport
from hotline.routing.recovery import load_spool_when_back
from hotline.routing.screening import screen_answered, screen_choice
from hotline.routing.status import record_status
from hotline.runtime import runtime
from hotline.spool import DIAL, FALLBACK, STATUS
from webhooks import forms
from webhooks.guard import guard
from webhooks.twiml import fallback_twiml, render

if TYPE_CHECKING:  # the type of the session handed in; webhooks run no SQL of their own
    from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
voice = Blueprint("voice", __name__, url_prefix="/webhooks/voice")
_PATHS = {"dial_result": "dial", "screen": "screen", "screen_choice": "screen/choice"}
Handler = Callable[["Session"], list[Instruction]]


guard(voice)


@voice.post("/incoming")
def incoming() -> Response:
    def route() -> list[Instruction]:
        current = runtime()
        call = forms.incoming(request.form)
        return route_incoming(current.database, current.routing, call, clock.now())

    return _routed(route)


@voice.post("/dial")
def dial_result() -> Response:
    def handle() -> list[Instruction]:
        current = runtime()
        return dial_ended(current.database, current.routing, outcome, clock.now())

    try:
        outcome = forms.dial_outcome(request.form, request.args)
    except forms.BadForm:
        return _routed(_refused)
    if outcome.bridged:
        return _bridged_ended(handle, outcome)
    return _routed(handle)


def _refused() -> list[Instruction]:
    raise forms.BadForm("a dial result without its call, step or round")


def _bridged_ended(route: Callable[[], list[Instruction]], outcome: DialOutcome) -> Response:
    """A counselor took the call and the talk is over: whatever fails now, the caller's leg
    just ends (never a second dial), and the result is spooled to be written in order."""
    try:
        instructions = route()
    except Exception:
        runtime().counters.routing_errors += 1
        log.exception(
            "the end of bridged call %s is spooled: the database failed", outcome.call_sid
        )
        _spool(
            DIAL,
            outcome.call_sid,
            step=outcome.step,
            round=outcome.round,
            status=outcome.status,
            bridged=True,
            dial_call_sid=outcome.dial_call_sid,
            duration_s=outcome.duration_s,
        )
        instructions = [Hangup()]
    return _twiml(render(instructions, _url_for))


@voice.post("/screen")
def screen() -> Response:
    def handle(session: Session) -> list[Instruction]:
        leg = forms.screen_leg(request.form, request.args)
        return screen_answered(session, runtime().routing, leg, clock.now())

    return _screened(handle)


@voice.post("/screen/choice")
def screen_choice_made() -> Response:
    def handle(session: Session) -> list[Instruction]:
        return screen_choice(session, forms.screen_leg(request.form, request.args), clock.now())

    return _screened(handle)


@voice.post("/status")
def status() -> tuple[str, int]:
    try:
        report = forms.status_report(request.form)
    except forms.BadForm as exc:
        return f"{exc}\n", 400
    current = runtime()
    try:
        # What was spooled first is applied first: callbacks keep their order.
        load_spool_when_back(current.database, current.spool, current.routing)
        with current.database.write() as session:
            changed = record_status(session, current.routing, report, clock.now())
    except Exception:  # the call has ended: what cannot be written now is spooled, in order
        log.exception("status callback of call %s spooled: the database failed", report.call_sid)
        _spool_status(report)
        return "", 204
    if not changed:
        log.info("status callback changed nothing (duplicate or stale): %s", report.call_sid)
    return "", 204


def _spool_status(report: StatusReport) -> None:
    stamp = report.timestamp.isoformat() if report.timestamp else None
    fields = {"status": report.status, "sequence": report.sequence, "to": report.to}
    fields |= {"duration_s": report.duration_s, "timestamp": stamp}
    _spool(STATUS, report.call_sid, **fields)


def _spool(event: str, call_sid: str, **fields: object) -> None:
    """Append to the spool (never caller data) and make sure this process applies it."""
    current = runtime()
    try:
        current.spool.append(event, clock.now(), call_sid, **fields)
    except OSError:
        log.exception("could not spool the %s event of call %s", event, call_sid)
    current.spool_loader.wake()


@voice.post("/fallback")
def fallback() -> Response:
    """Twilio's Voice Fallback URL: no database, straight to the fallback line."""
    log.error("Twilio used the fallback URL (ErrorCode %s)", request.form.get("ErrorCode", "?"))
    return _fallback_response()


def _routed(route: Callable[[], list[Instruction]]) -> Response:
    try:
        instructions = route()
    except Exception:  # every failure still reaches a human: see the module docstring
        runtime().counters.routing_errors += 1
        log.exception("routing failed for call %s; sent to the fallback line", _call_sid())
        return _fallback_response()
    return _twiml(render(instructions, _url_for))


def _screened(handle: Handler) -> Response:
    """A counselor's leg: on failure hang it up, so the dial moves on (never bridge blind)."""
    try:
        instructions = runtime().database.transact(handle)
    except Exception:
        runtime().counters.routing_errors += 1
        log.exception("screening failed for call %s; counselor leg hung up", _call_sid())
        return _twiml(render([Hangup()], _url_for))
    return _twiml(render(instructions, _url_for))


def _fallback_response() -> Response:
    """TwiML to the fallback line, and the call spooled (without caller data) for the record."""
    current = runtime()
    to = request.form.get("To", "")
    _spool(FALLBACK, _call_sid(), to=to)
    route = current.lines.last_known().fallback_route(to, current.settings.fallback_number)
    return _twiml(fallback_twiml(route.number, route.caller_id, route.closing))


def _url_for(name: str, query: dict[str, str]) -> str:
    base = runtime().settings.public_url
    return f"{base}{voice.url_prefix}/{_PATHS[name]}?{urlencode(sorted(query.items()))}"


def _call_sid() -> str:
    return request.form.get("CallSid", "unknown")[:64]


def _twiml(body: str) -> Response:
    return Response(body, status=200, content_type="text/xml; charset=utf-8")
