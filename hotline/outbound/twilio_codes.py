"""What Twilio's error codes say about trying again, without the SDK: the sender (through
`twilio_sms`) and the delivery-status webhook (`delivery`) read the same sets."""

from __future__ import annotations

# Codes that say the message will never go through as asked (bad, opted-out, landline or
# filtered number): retrying only spends money and, in China, trips the operators' filters.
NEVER = frozenset({"21211", "21408", "21610", "21612", "21614", "30005", "30006", "30007"})
# Codes that say the handset or Twilio could not be reached this time.
LATER = frozenset({"20429", "30003", "30008"})
# Of these, what a delivery-status callback's ErrorCode may carry.
_CALLBACK_LATER = frozenset({"30003", "30008"})


def is_retryable_code(code: str | None) -> bool:
    """Whether a status callback's ErrorCode means the same message may get through later."""
    return code is not None and code.strip() in _CALLBACK_LATER
