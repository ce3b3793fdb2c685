"""Phone numbers as the lines and the counselors have them: E.164 form, and a number's country."""

from __future__ import annotations

import phonenumbers


def normalize_phone(value: str, region: str | None) -> str | None:
    """E.164 form of a possible, valid number, or None."""
    try:
        parsed = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def region_of(number: str | None) -> str | None:
    """The country of an E.164 number, the default region for national numbers near it."""
    if not number:
        return None
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return None
    return str(region) if region else None
