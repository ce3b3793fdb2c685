"""Every line as plain values, kept per process: routing reads a line without a query, and the
fallback path knows each line's fallback number and language even when the database is gone.

Re-read at most every `refresh_seconds`, so an edited line is in force within a second. Each
change is also written to a small cache file of the database (in HOTLINE_SPOOL_DIR), which a
process reads at start: a worker started while the database is down still knows every line.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Hotline
from hotline.routing.decisions import Say
from hotline.routing.prompts import closing

REFRESH_SECONDS = 1.0
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LineInfo:
    id: int
    key: str
    name: str
    number: str
    language: str
    ring_seconds: int
    max_wait_seconds: int
    ring_strategy: str
    overflow: tuple[str, ...]
    fallback_number: str | None
    closing_message: str | None
    region: str | None  # the line's country: the default region of a caller's national number

    @property
    def simultaneous(self) -> bool:
        return self.ring_strategy == "simultaneous"


@dataclass(frozen=True, slots=True)
class FallbackRoute:
    """Dial `number` showing `caller_id`; say `closing` if that line does not answer."""

    number: str
    caller_id: str | None
    closing: Say


@dataclass(frozen=True, slots=True)
class Lines:
    by_key: dict[str, LineInfo] = field(default_factory=dict)
    by_number: dict[str, LineInfo] = field(default_factory=dict)
    by_id: dict[int, LineInfo] = field(default_factory=dict)

    @classmethod
    def of(cls, lines: Iterable[LineInfo]) -> Lines:
        listed = list(lines)
        return cls(
            {line.key: line for line in listed},
            {line.number: line for line in listed},
            {line.id: line for line in listed},
        )

    def for_number(self, to: str) -> LineInfo | None:
        """The line callers reach by dialing `to` (Twilio sends E.164; others are normalized)."""
        found = self.by_number.get(to)
        if found is not None or not to:
            return found
        try:
            parsed = phonenumbers.parse(to, None)
        except phonenumbers.NumberParseException:
            return None
        return self.by_number.get(
            phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
        )

    def fallback_route(self, to: str, global_number: str) -> FallbackRoute:
        """The line's fallback (else the global one), with the line's number as caller ID.

        A number no line has is still the number the caller dialed (Twilio sends only our
        numbers' calls), so it is the caller ID: the fallback phone never shows the caller's.
        """
        line = self.for_number(to)
        if line is None:
            default = next(iter(self.by_key.values()), None)
            caller_id = to if _is_e164(to) else None
            return FallbackRoute(global_number, caller_id, closing(None, _language(default)))
        return FallbackRoute(
            line.fallback_number or global_number,
            line.number,
            closing(line.closing_message, line.language),
        )


def _language(line: LineInfo | None) -> str:
    return line.language if line is not None else "zh-CN"


def _is_e164(number: str) -> bool:
    return number.startswith("+") and number[1:].isdigit() and 7 <= len(number) - 1 <= 15


class LineDirectory:
    def __init__(
        self,
        refresh_seconds: float = REFRESH_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.refresh_seconds = refresh_seconds
        self._monotonic = monotonic
        self._lines = Lines()
        self._read_at = float("-inf")
        self._lock = threading.Lock()
        self.cache: Path | None = None

    def keep_in(self, cache: Path) -> None:
        """Read the cached lines now, and write each change there from now on."""
        self.cache = cache
        try:
            data = json.loads(cache.read_text(encoding="utf-8"))
            lines = Lines.of(_from_json(item) for item in data["lines"])
        except FileNotFoundError:
            return
        except (ValueError, KeyError, TypeError):
            log.warning("the lines cache %s is unreadable; ignored", cache)
            return
        with self._lock:
            if not self._lines.by_key:
                self._lines = lines

    def current(self, session: Session) -> Lines:
        """The lines, re-read from the database when the copy is older than a second."""
        if self._monotonic() - self._read_at >= self.refresh_seconds:
            lines = Lines.of(_info(row) for row in session.scalars(select(Hotline)))
            with self._lock:
                changed = lines != self._lines
                self._lines, self._read_at = lines, self._monotonic()
            if changed:
                self._write_cache(lines)
        return self._lines

    def _write_cache(self, lines: Lines) -> None:
        """Atomically (a rename), so a reader never sees half a file."""
        if self.cache is None:
            return
        try:
            self.cache.parent.mkdir(parents=True, exist_ok=True)
            partial = self.cache.with_name(f"{self.cache.name}.{os.getpid()}.tmp")
            items = [asdict(line) for line in lines.by_key.values()]
            partial.write_text(json.dumps({"lines": items}, ensure_ascii=False), "utf-8")
            partial.replace(self.cache)
        except OSError:
            log.exception("could not write the lines cache %s", self.cache)

    def last_known(self) -> Lines:
        """The last copy read, for when the database cannot be asked."""
        with self._lock:
            return self._lines


def _info(row: Hotline) -> LineInfo:
    return LineInfo(
        row.id,
        row.key,
        row.name,
        row.number,
        row.language,
        row.ring_seconds,
        row.max_wait_seconds,
        row.ring_strategy,
        tuple(row.overflow),
        row.fallback_number,
        row.closing_message,
        _region(row.number),
    )


def _from_json(item: dict[str, Any]) -> LineInfo:
    return LineInfo(**{**item, "overflow": tuple(item["overflow"])})


def _region(number: str) -> str | None:
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(number, None))
    except phonenumbers.NumberParseException:
        return None
    return str(region) if region else None
