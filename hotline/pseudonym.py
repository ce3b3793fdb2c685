"""Caller pseudonyms: a keyed HMAC of the normalized number, so a repeat caller is recognized
and never identified. The raw number is used here and nowhere else, and is never kept.

`vN:` + base32(HMAC-SHA256(key N, E.164 number))[:26]; withheld, anonymous, SIP, `client:`
and unparsable callers all share the fixed pseudonym `withheld`. A plain or salted hash would
not do: every Chinese mobile number can be hashed in minutes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import phonenumbers

from settings import PseudonymKey

WITHHELD = "withheld"
PSEUDONYM_LENGTH = 26
_NOT_A_NUMBER = ("anonymous", "unknown", "restricted", "private", "unavailable", "withheld")


def normalize_caller(raw: str | None, region: str | None) -> str | None:
    """The caller's number in E.164, or None when it is withheld or not a phone number."""
    if raw is None:
        return None
    value = raw.strip()
    lowered = value.lower()
    if not value or lowered in _NOT_A_NUMBER or lowered.startswith(("sip:", "client:")):
        return None
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def pseudonym_with(key: PseudonymKey, number: str) -> str:
    digest = hmac.new(key.secret, number.encode(), hashlib.sha256).digest()
    return f"v{key.version}:" + base64.b32encode(digest).decode()[:PSEUDONYM_LENGTH]


def caller_pseudonym(raw: str | None, region: str | None, key: PseudonymKey) -> str:
    """The pseudonym of the caller `raw` (Twilio's `From`) on a line of country `region`."""
    number = normalize_caller(raw, region)
    return WITHHELD if number is None else pseudonym_with(key, number)


def linked_pseudonyms(
    raw: str | None, region: str | None, key: PseudonymKey, previous: PseudonymKey | None
) -> tuple[str, ...]:
    """Every pseudonym this caller may have under the current and the previous key.

    During a key rotation, repeat calls are found under both; once the previous key is
    removed, older calls can no longer be linked, on purpose.
    """
    number = normalize_caller(raw, region)
    if number is None:
        return (WITHHELD,)
    keys = (key,) if previous is None else (key, previous)
    return tuple(pseudonym_with(k, number) for k in keys)
