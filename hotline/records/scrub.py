"""Notes are scrubbed of phone numbers, Chinese ID-card numbers and e-mail addresses before
they are stored, and refused when they carry control characters or are too long.

Digits may be ASCII, full-width or Chinese numerals (一三八...), as a number is often written
in a note; runs of seven or more such digits, with single separators, count as a number.
"""

from __future__ import annotations

import re
import unicodedata

PHONE_MASK = "[电话/phone]"
ID_MASK = "[证件/ID]"
EMAIL_MASK = "[邮箱/e-mail]"

_DIGIT = "0-9\uff10-\uff19\u3007零一二三四五六七八九幺两"
_SEPARATOR = r"[ \u3000\-.·/()（）]"
_ID_CARD = re.compile(rf"(?<![{_DIGIT}])[{_DIGIT}]{{17}}[{_DIGIT}Xx\uff38\uff58](?![{_DIGIT}])")
_PHONE = re.compile(
    rf"(?<![{_DIGIT}])(?![0-9]{{4}}[-/.][0-9]{{1,2}}[-/.][0-9]{{1,2}}(?![0-9]))"  # not a date
    rf"(?:[+\uff0b(（]|00)?(?:[{_DIGIT}]{_SEPARATOR}?){{6,}}[{_DIGIT}]"
)
_EMAIL = re.compile(
    r"[\w.!#$%&'*+/=?^`{|}~-]+\s*(?:@|\uff20|\(at\)|\[at\])\s*[\w-]+(?:\s*(?:\.|\(dot\))\s*[\w-]+)+",
    re.IGNORECASE,
)
# Line breaks and tabs are text; every other control character (NUL included) is refused.
_ALLOWED_CONTROLS = frozenset("\n\r\t")


class BadNote(ValueError):
    """The note cannot be stored as given (the message names why)."""


def scrub_note(text: str, max_chars: int) -> str | None:
    """The note as it may be stored: identifiers masked, whitespace trimmed; None when empty."""
    if any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS for ch in text):
        raise BadNote("control characters are not allowed in a note")
    if len(text) > max_chars:
        raise BadNote(f"a note is at most {max_chars} characters")
    scrubbed = _EMAIL.sub(EMAIL_MASK, text)
    scrubbed = _ID_CARD.sub(ID_MASK, scrubbed)
    scrubbed = _PHONE.sub(_mask_phone, scrubbed)
    scrubbed = scrubbed.strip()
    return scrubbed or None


def _mask_phone(match: re.Match[str]) -> str:
    digits = sum(1 for ch in match.group(0) if ch not in " \u3000-.·/()（）+\uff0b")
    # Seven digits or more: a phone number (a landline without area code has seven or eight).
    return PHONE_MASK if digits >= 7 else match.group(0)
