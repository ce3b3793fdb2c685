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

from hotline.cache import RefreshingCopy
from hotline.models import Hotline
from hotline.phones import region_of
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
    """Every line, re-read at most every `refresh_seconds` (see `hotline.cache` for the rule)."""

    def __init__(
        self,
        refresh_seconds: float = REFRESH_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._copy = RefreshingCopy(Lines(), refresh_seconds, monotonic)
        self._writing = threading.Lock()  # one writer of the cache file at a time
        self.cache: Path | None = None

    @property
    def refresh_seconds(self) -> float:
        return self._copy.every_seconds

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
        self._copy.seed(lines)  # until the database is first read

    def current(self, session: Session) -> Lines:
        """The lines, re-read from the database when the copy is older than a second."""
        held = self._copy.last_known()
        lines = self._copy.current(lambda _: _read_lines(session))
        if lines is not held and lines != held:
            self._write_cache()
        return lines

    def _write_cache(self) -> None:
        """The copy in hand, atomically (a rename), so a reader never sees half a file; the
        last writer writes the newest copy, whichever thread's read it came from."""
        if self.cache is None:
            return
        with self._writing:
            lines = self._copy.last_known()
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
        return self._copy.last_known()


def _read_lines(session: Session) -> Lines:
    return Lines.of(_info(row) for row in session.scalars(select(Hotline)))


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
        region_of(row.number),
    )


def _from_json(item: dict[str, Any]) -> LineInfo:
    return LineInfo(**{**item, "overflow": tuple(item["overflow"])})
