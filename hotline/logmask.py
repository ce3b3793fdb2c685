"""A second line of defence for privacy: phone-number-like digit runs are masked in every log
record, whatever put them there (the first line is never logging caller data at all).
"""

from __future__ import annotations

import logging
import re

# Seven or more digits (full-width too), with a leading + and single spaces, dots or dashes
# between them; ISO dates (2026-12-01) are left alone, they identify nobody.
_PHONE_LIKE = re.compile(
    r"(?<![\w+])(?![0-9]{4}-[0-9]{2}-[0-9]{2}(?![0-9]))"  # not an ISO date
    r"[+\uff0b]?(?:[0-9\uff10-\uff19][ \-.]?){6,}[0-9\uff10-\uff19](?![\w])"
)
MASK = "[number]"


def mask_numbers(text: str) -> str:
    return _PHONE_LIKE.sub(MASK, text)


class MaskPhoneNumbers(logging.Filter):
    """Rewrites the message (arguments merged in) and any exception text of a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_numbers(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_numbers(record.exc_text)
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Add the filter to every handler of the root logger (and to the logger itself)."""
    target = logger or logging.getLogger()
    if not any(isinstance(f, MaskPhoneNumbers) for f in target.filters):
        target.addFilter(MaskPhoneNumbers())
    for handler in target.handlers:
        if not any(isinstance(f, MaskPhoneNumbers) for f in handler.filters):
            handler.addFilter(MaskPhoneNumbers())
