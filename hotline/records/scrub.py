"""Notes are scrubbed of phone numbers, Chinese ID-card numbers and e-mail addresses before
they are stored, and refused when they carry control characters or are too long.

How a phone number is recognised, however it is typed (full-width, 一三八, 壹叁捌, spaced,
underscored, comma-split), and what is left alone (dates, ages, counts, amounts): see
`hotline.records.phones_in_text`.
"""

from __future__ import annotations

import re
import unicodedata

from hotline.records.phones_in_text import phone_spans

PHONE_MASK = "[电话/phone]"
ID_MASK = "[证件/ID]"
EMAIL_MASK = "[邮箱/e-mail]"

_DIGIT = "0-9\uff10-\uff19\u3007零一二三四五六七八九幺两"
_ID_CARD = re.compile(rf"(?<![{_DIGIT}])[{_DIGIT}]{{17}}[{_DIGIT}Xx\uff38\uff58](?![{_DIGIT}])")
_LOCAL = r"[\w.!#$%&'*+/=?^`{|}~-]"
_EMAIL = re.compile(
    # Tried only where a run of such characters begins: from inside one, each failed try would
    # scan to its end again (a second per 4000-character word).
    rf"(?<!{_LOCAL}){_LOCAL}+\s*(?:@|\uff20|\(at\)|\[at\])\s*[\w-]+(?:\s*(?:\.|\(dot\))\s*[\w-]+)+",
    re.IGNORECASE,
)
# Line breaks and tabs are text; every other control character (NUL included) is refused.
_ALLOWED_CONTROLS = frozenset("\n\r\t")


class BadNote(ValueError):
    """The note cannot be stored as given. `code` says why, for the web layer to say in the
    reader's language; the message says it in English (the command line, logs)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def scrub_note(text: str, max_chars: int) -> str | None:
    """The note as it may be stored: identifiers masked, whitespace trimmed; None when empty."""
    if any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS for ch in text):
        raise BadNote("control-characters", "control characters are not allowed in a note")
    if len(text) > max_chars:
        raise BadNote("too-long", f"a note is at most {max_chars} characters")
    scrubbed = _EMAIL.sub(EMAIL_MASK, text)
    scrubbed = _ID_CARD.sub(ID_MASK, scrubbed)
    scrubbed = _mask_phones(scrubbed)
    scrubbed = scrubbed.strip()
    return scrubbed or None


def _mask_phones(text: str) -> str:
    kept, at = [], 0
    for start, end in phone_spans(text):
        kept += [text[at:start], PHONE_MASK]
        at = end
    return "".join([*kept, text[at:]])
