"""The fixed words of an outcome and of the call log (stored as these codes, shown translated)."""

from __future__ import annotations

from enum import StrEnum

CALL_TYPES = (
    "counseling",
    "information",
    "silent",
    "hang-up",
    "prank",
    "wrong-number",
    "abusive",
    "test",
)
TOPICS = (
    "study-pressure",
    "family-conflict",
    "relationships",
    "bullying",
    "emotional-distress",
    "self-harm",
    "other",
)
RISKS = ("none", "low", "moderate", "high", "imminent")
FLAGGED_RISKS = frozenset({"high", "imminent"})
ACTIONS = (
    "support",
    "information",
    "appointment",
    "referral",
    "emergency-services",
    "follow-up",
)
CALLER_TYPES = ("student", "parent", "teacher", "other")
AGE_BANDS = ("under-12", "12-14", "15-17", "18-24", "25-44", "45-64", "65-plus", "unknown")


class CallResult(StrEnum):
    """How a call ended up, as routing leaves it and the call log shows it."""

    ANSWERED = "answered"  # a counselor of the line dialed took it
    OVERFLOWED = "overflowed"  # a counselor of an overflow line took it
    FALLBACK = "fallback"  # the fallback line was dialed and answered the dial
    MISSED = "missed"  # nothing was left to dial: the closing message
    ABANDONED = "abandoned"  # the caller hung up while counselors were being rung
    ERROR = "error"  # a failure sent it to the fallback line (see the spool)
    UNKNOWN = "unknown"  # its arrival was never recorded, only a status callback
    ROUTING = "routing"  # still looking for a counselor


class AttemptResult(StrEnum):
    """What became of one target rung in one round of a call."""

    ANSWERED = "answered"  # picked up, at the screen now
    ACCEPTED = "accepted"  # pressed 1 at the screen
    BRIDGED = "bridged"  # talked to the caller
    DECLINED = "declined"  # pressed another key
    NO_KEY = "no-key"  # picked up and pressed nothing (a voicemail, most likely)
    NO_ANSWER = "no-answer"
    BUSY = "busy"
    FAILED = "failed"
    CANCELED = "canceled"  # stopped ringing because another leg picked up
    BUSY_ELSEWHERE = "busy-elsewhere"  # on another call: not rung
    ABANDONED = "abandoned"  # the caller hung up while it rang


# What the call log shows: routing's results, `unknown` for calls whose callbacks were lost.
RESULTS = tuple(CallResult)
ROLES = ("admin", "operator", "supervisor", "counselor")
