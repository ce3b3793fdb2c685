"""The words of follow-up care (`hotline.care.vocabulary`) as people read them."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from hotline.care.vocabulary import NEXT_STATES

BOOKING_STATES = {
    "booked": _l("Booked"),
    "attended": _l("Attended"),
    "missed": _l("Missed"),
    "cancelled": _l("Cancelled"),
}
URGENCIES = {
    "routine": _l("Routine"),
    "72h": _l("Within 72 hours"),
    "today": _l("Today"),
}
REASONS = {
    "suicide-risk": _l("Suicide risk"),
    "self-harm": _l("Self-harm"),
    "psychosis": _l("Signs of psychosis"),
    "depression": _l("Depression"),
    "anxiety": _l("Anxiety"),
    "substance-use": _l("Alcohol or drugs"),
    "abuse": _l("Abuse or violence"),
    "medication": _l("Medication review"),
    "other": _l("Other"),
}
REFERRAL_STATES = {
    "proposed": _l("Proposed"),
    "sent": _l("Sent to the partner"),
    "accepted": _l("Accepted by the partner"),
    "attended": _l("Attended"),
    "declined": _l("Declined"),
    "lost": _l("Lost to follow-up"),
}
# The buttons that move a referral: what each does, in the imperative.
MOVES = {
    "sent": _l("Mark sent"),
    "accepted": _l("Mark accepted"),
    "attended": _l("Mark attended"),
    "declined": _l("Mark declined"),
    "lost": _l("Mark lost to follow-up"),
}
WEEKDAYS = {
    "mon": _l("Mon"),
    "tue": _l("Tue"),
    "wed": _l("Wed"),
    "thu": _l("Thu"),
    "fri": _l("Fri"),
    "sat": _l("Sat"),
    "sun": _l("Sun"),
}
LINKS = {
    "call": _l("Call number"),
    "booking": _l("Booking code"),
    "referral": _l("Referral number"),
}

CARE: dict[str, Any] = {
    "booking_states": BOOKING_STATES,
    "urgencies": URGENCIES,
    "reasons": REASONS,
    "referral_states": REFERRAL_STATES,
    "moves": MOVES,
    "weekdays": WEEKDAYS,
    "links": LINKS,
    "next_states": NEXT_STATES,
}
