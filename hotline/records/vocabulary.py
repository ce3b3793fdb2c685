"""The fixed words of an outcome and of the call log (stored as these codes, shown translated)."""

from __future__ import annotations

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
# What the call log shows: routing's results, `unknown` for calls whose callbacks were lost.
RESULTS = (
    "answered",
    "overflowed",
    "fallback",
    "missed",
    "abandoned",
    "error",
    "unknown",
    "routing",
)
ROLES = ("admin", "operator", "supervisor", "counselor")
