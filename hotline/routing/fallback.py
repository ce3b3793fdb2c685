"""What each line's callers need when the database cannot be used: kept in memory per process.

Refreshed from the database during normal requests, read without it when routing fails and
by the fallback webhook.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Hotline
from hotline.routing.decisions import Say
from hotline.routing.prompts import closing

REFRESH_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class LineContact:
    number: str
    fallback_number: str | None
    language: str
    closing_message: str | None


@dataclass(frozen=True, slots=True)
class FallbackRoute:
    """Dial `number` showing `caller_id`; say `closing` if that line does not answer."""

    number: str
    caller_id: str | None
    closing: Say


class FallbackDirectory:
    def __init__(self, global_number: str, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.global_number = global_number
        self._monotonic = monotonic
        self._lines: dict[str, LineContact] = {}
        self._refreshed_at = float("-inf")
        self._lock = threading.Lock()

    def refresh_if_stale(self, session: Session) -> None:
        if self._monotonic() - self._refreshed_at < REFRESH_SECONDS:
            return
        rows = session.scalars(select(Hotline)).all()
        lines = {
            row.number: LineContact(
                row.number, row.fallback_number, row.language, row.closing_message
            )
            for row in rows
        }
        with self._lock:
            self._lines, self._refreshed_at = lines, self._monotonic()

    def route_for(self, to: str) -> FallbackRoute:
        """The line's fallback (else the global one), with the line's number as caller ID."""
        with self._lock:
            line = self._lines.get(to)
        if line is None:
            return FallbackRoute(self.global_number, None, closing(None, "zh-CN"))
        return FallbackRoute(
            line.fallback_number or self.global_number,
            line.number,
            closing(line.closing_message, line.language),
        )
