"""Twilio's form parameters parsed into the routing service's inputs; unknown ones are ignored."""

from __future__ import annotations

from email.utils import parsedate_to_datetime

from werkzeug.datastructures import MultiDict

from hotline.inbound import IncomingText
from hotline.routing.inputs import DialOutcome, IncomingCall, ScreenLeg, StatusReport


class BadForm(ValueError):
    """A signed request without what its route needs (never caller data in the message)."""


def _required(form: MultiDict[str, str], name: str) -> str:
    value = form.get(name, "")
    if not value:
        raise BadForm(f"missing {name}")
    return value


# Twilio's numbers are small: a call lasts at most a day, a sequence counts a call's events,
# a step or round indexes its plan. Anything larger is not Twilio, and is never stored.
LARGEST = {"CallDuration": 86_400, "DialCallDuration": 86_400}
LARGEST_INT = 2**31 - 1  # what an integer column holds
# Twilio stamps its callbacks with the current time; a year outside these is not Twilio's.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2099


def _number(args: MultiDict[str, str], name: str) -> int:
    value = args.get(name, "")
    if not value.isdigit() or len(value) > 9:
        raise BadForm(f"bad {name}")
    return int(value)


def _optional_int(form: MultiDict[str, str], name: str) -> int | None:
    value = form.get(name, "")
    if not value.isdigit():
        return None
    number = int(value) if len(value) <= 12 else LARGEST_INT + 1
    if number > LARGEST.get(name, LARGEST_INT):
        raise BadForm(f"{name} out of range")
    return number


def incoming(form: MultiDict[str, str]) -> IncomingCall:
    return IncomingCall(_required(form, "CallSid"), form.get("To", ""), form.get("From"))


def dial_outcome(form: MultiDict[str, str], args: MultiDict[str, str]) -> DialOutcome:
    return DialOutcome(
        call_sid=_required(form, "CallSid"),
        step=_number(args, "step"),
        round=_number(args, "round"),
        status=form.get("DialCallStatus", "failed"),
        bridged=form.get("DialBridged", "").lower() == "true",
        dial_call_sid=form.get("DialCallSid") or None,
        duration_s=_optional_int(form, "DialCallDuration"),
    )


def screen_leg(form: MultiDict[str, str], args: MultiDict[str, str]) -> ScreenLeg:
    return ScreenLeg(
        parent_sid=_required(form, "ParentCallSid"),
        leg_sid=_required(form, "CallSid"),
        step=_number(args, "step"),
        round=_number(args, "round"),
        target=args.get("target", ""),
        digits=form.get("Digits"),
    )


def status_report(form: MultiDict[str, str]) -> StatusReport:
    stamp = form.get("Timestamp", "")
    try:
        timestamp = parsedate_to_datetime(stamp) if stamp else None
    except (TypeError, ValueError):
        timestamp = None
    if timestamp is not None and timestamp.tzinfo is None:
        timestamp = None
    if timestamp is not None and not EARLIEST_YEAR <= timestamp.year <= LATEST_YEAR:
        raise BadForm("Timestamp out of range")
    return StatusReport(
        call_sid=_required(form, "CallSid"),
        status=_required(form, "CallStatus"),
        sequence=_optional_int(form, "SequenceNumber"),
        duration_s=_optional_int(form, "CallDuration"),
        timestamp=timestamp,
        to=form.get("To", ""),
        caller=form.get("From"),
    )


def incoming_text(form: MultiDict[str, str]) -> IncomingText:
    """A text to one of our numbers; never refused, since its sender may be in crisis."""
    return IncomingText(
        form.get("To", ""),
        form.get("From", ""),
        form.get("Body", ""),
        form.get("MessagingServiceSid", ""),
    )
