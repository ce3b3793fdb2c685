"""Reading one field of a located mapping, noting a problem with its place instead of raising."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hotline.config.located import LocatedList, LocatedMap
from hotline.phones import normalize_phone

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_CLOCK = re.compile(r"^([0-9]{2}):([0-9]{2})$")
T = TypeVar("T")
_MISSING = object()


class Problems:
    """Every problem found in a file, each with its line and path."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, line: int, where: str, message: str) -> None:
        self.items.append(f"line {line}, {where}: {message}")


class Entry:
    """One mapping of the file (a line, a counselor, a pattern) and the path that leads to it."""

    def __init__(self, data: Any, where: str, line: int, problems: Problems) -> None:
        self.where, self.problems = where, problems
        if isinstance(data, LocatedMap):
            self.data: LocatedMap = data
            self.line = data.line or line
        else:
            self.data, self.line = LocatedMap(), line
            self.data.key_lines = {}
            problems.add(line, where, "must be a mapping of fields")
        self.valid = isinstance(data, LocatedMap)

    def problem(self, field: str, message: str) -> None:
        line = self.data.key_lines.get(field, self.line)
        where = f"{self.where}.{field}" if field else self.where
        self.problems.add(line, where, message)

    def refuse_unknown(self, allowed: set[str]) -> None:
        for name in self.data:
            if name not in allowed:
                self.problem(name, f"unknown field (allowed: {', '.join(sorted(allowed))})")

    def raw(self, field: str, default: Any = _MISSING) -> Any:
        if field in self.data:
            return self.data[field]
        if default is _MISSING:
            self.problem(field, "required")
            return None
        return default

    def text(self, field: str, default: Any = _MISSING, *, limit: int = 200) -> Any:
        value = self.raw(field, default)
        if value is None or value is default:
            return value
        if not isinstance(value, str) or not value.strip():
            self.problem(field, "must be a non-empty text")
            return None
        if len(value) > limit:
            self.problem(field, f"at most {limit} characters")
            return None
        return value.strip()

    def key(self, field: str = "key", *, required: bool = True) -> str | None:
        value = self.raw(field, _MISSING if required else None)
        if value is None:
            return None
        if not isinstance(value, str) or not KEY_PATTERN.match(value):
            self.problem(field, "must match [a-z0-9-]+ (at most 64 characters)")
            return None
        return value

    def integer(self, field: str, default: Any, low: int, high: int) -> Any:
        value = self.raw(field, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(field, f"must be a whole number from {low} to {high}")
            return None
        return value

    def boolean(self, field: str, default: bool) -> bool:
        value = self.raw(field, default)
        if not isinstance(value, bool):
            self.problem(field, "must be true or false")
            return default
        return value

    def choice(self, field: str, default: Any, choices: tuple[str, ...]) -> Any:
        value = self.raw(field, default)
        if value is not None and value not in choices:
            self.problem(field, f"must be one of {', '.join(choices)}; got {value!r}")
            return None
        return value

    def words(self, field: str) -> tuple[str, ...]:
        value = self.raw(field, LocatedList())
        if not isinstance(value, list) or not all(isinstance(w, str) and w for w in value):
            self.problem(field, "must be a list of words")
            return ()
        return tuple(value)

    def timezone(self, field: str = "timezone") -> str | None:
        value = self.text(field)
        if value is None:
            return None
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            self.problem(field, f"unknown time zone {value!r} (an IANA name like Asia/Shanghai)")
            return None
        return str(value)

    def phone(self, field: str, region: str | None, *, required: bool = True) -> str | None:
        value = self.raw(field, _MISSING if required else None)
        if value is None:
            return None
        if not isinstance(value, str):
            self.problem(field, 'write phone numbers in quotes, like "+8613800000001"')
            return None
        normalized = normalize_phone(value, region)
        if normalized is None:
            self.problem(field, f"not a valid phone number: {value!r}")
        return normalized

    def clock(self, field: str) -> str | None:
        value = self.raw(field)
        if value is None:
            return None
        match = _CLOCK.match(value) if isinstance(value, str) else None
        if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            shown = value if isinstance(value, str) else 'a number (quote times: "08:00")'
            self.problem(field, f'must be a time from "00:00" to "23:59"; got {shown}')
            return None
        return str(value)

    def day(self, field: str) -> date | None:
        value = self.raw(field, None)
        if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.problem(field, f"must be a date like 2026-12-01; got {value!r}")
        return None
