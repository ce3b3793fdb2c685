"""The fixed words of follow-up care, stored as these codes and shown translated."""

from __future__ import annotations

from datetime import timedelta

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

BOOKING_STATES = ("booked", "attended", "missed", "cancelled")
MARKS = ("attended", "missed")  # what reception records at the door

URGENCIES = ("routine", "72h", "today")
URGENT = frozenset({"72h", "today"})  # an overdue one alerts the line's supervisors
# How long a referral may take to reach the partner's acceptance (`today`: the local day).
DUE_WITHIN = {"routine": timedelta(days=14), "72h": timedelta(hours=72)}
REASONS = (
    "suicide-risk",
    "self-harm",
    "psychosis",
    "depression",
    "anxiety",
    "substance-use",
    "abuse",
    "medication",
    "other",
)
REFERRAL_STATES = ("proposed", "sent", "accepted", "attended", "declined", "lost")
CLOSED = frozenset({"attended", "declined", "lost"})
# Still waiting for the partner: what "overdue" is about.
AWAITING = frozenset({"proposed", "sent"})
# Forward only; declined and lost end a referral at any open step.
NEXT_STATES: dict[str, tuple[str, ...]] = {
    "proposed": ("sent", "declined", "lost"),
    "sent": ("accepted", "declined", "lost"),
    "accepted": ("attended", "declined", "lost"),
}

REMINDER_KIND = "care-reminder"  # the outbox kind of the one consented reminder text
