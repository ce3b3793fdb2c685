"""A second line of defence for privacy: phone-number-like digit runs are masked in every log
record, whatever put them there (the first line is never logging caller data at all), and in
gunicorn's access log (`MaskedGunicornLogger`).
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import unquote_plus

from gunicorn.glogging import Logger, SafeAtoms

# Seven or more digits (full-width too), with a leading + and up to three spaces, dots, dashes
# or underscores between them ("138 - 0013"); ISO dates (2026-12-01) are left alone, they
# identify nobody.
_PHONE_LIKE = re.compile(
    r"(?<![\w+])(?![0-9]{4}-[0-9]{2}-[0-9]{2}(?![0-9]))"  # not an ISO date
    r"[+\uff0b]?(?:[0-9\uff10-\uff19][ \-._\u2013\u2014]{0,3}){6,}[0-9\uff10-\uff19](?![\w])"
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


# Atoms gunicorn makes itself (address, time, status, sizes, durations, process): never masked,
# or a response of 1234567 bytes would be logged as a number.
_OWN_ATOMS = frozenset("htsbBTDMLp")


def mask_request_text(text: str) -> str:
    """`mask_numbers` for what a client sent (a path, a query, a header): percent-encoding
    (`%2B86...`, `138%200013`) hides no number; a masked value is logged decoded."""
    masked = mask_numbers(text)
    if masked != text or ("%" not in text and "+" not in text):
        return masked
    decoded = unquote_plus(text)
    masked = mask_numbers(decoded)
    return masked if masked != decoded else text


class _MaskedAtoms(SafeAtoms):  # type: ignore[misc]
    """The access log's values, each masked as the format reads it (only those it reads)."""

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        if isinstance(value, str) and key not in _OWN_ATOMS:
            return mask_request_text(value)
        return value


class MaskedGunicornLogger(Logger):  # type: ignore[misc]
    """gunicorn's logger with the mask: on every value of the access log that came from the
    request (path, query, request line, headers), whatever the access log format, and on the
    error log (which quotes bad request lines). Set as gunicorn's `logger_class`."""

    atoms_wrapper_class = _MaskedAtoms

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        # On the logger, not its handlers: a handler may be shared with the access log, whose
        # whole line the filter would mask (its status and size read as a number).
        if not any(isinstance(f, MaskPhoneNumbers) for f in self.error_log.filters):
            self.error_log.addFilter(MaskPhoneNumbers())
