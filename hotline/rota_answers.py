"""The rota's answers as JSON, one shape for the command line and the API (CONTRACT): gaps,
shifts and rule violations, instants in UTC (`Z`) beside the line's wall clock."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rota.model import Gap, Shift
from rota.rules import Violation

Json = dict[str, Any]


def utc_text(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


def gaps_json(gaps: Iterable[Gap], timezone: str) -> list[Json]:
    """`hotline rota gaps`: `start`/`end` in UTC, `local_start`/`local_end` in `timezone`."""
    zone = ZoneInfo(timezone)
    return [
        {
            "start": utc_text(gap.start),
            "end": utc_text(gap.end),
            "local_start": gap.start.astimezone(zone).isoformat(),
            "local_end": gap.end.astimezone(zone).isoformat(),
            "timezone": timezone,
        }
        for gap in gaps
    ]


def violations_json(violations: Iterable[Violation], timezone: str) -> list[Json]:
    """`hotline rota check --json`: `rule`, `start`, `end` (UTC), `detail`, and the
    `counselor` concerned (null for a rule about the line as a whole)."""
    zone = ZoneInfo(timezone)
    return [
        {
            "rule": found.rule,
            "start": utc_text(found.start),
            "end": utc_text(found.end),
            "detail": found.detail,
            "counselor": found.counselor,
            "local_start": found.start.astimezone(zone).isoformat(),
            "local_end": found.end.astimezone(zone).isoformat(),
        }
        for found in violations
    ]


def shifts_json(shifts: Iterable[Shift], names: Mapping[str, str], timezone: str) -> list[Json]:
    """Each counselor's continuous duty per tier, as a calendar shows it (cut at the window)."""
    zone = ZoneInfo(timezone)
    return [
        {
            "counselor": shift.counselor,
            "name": names.get(shift.counselor, shift.counselor),
            "tier": shift.tier,
            "start": utc_text(shift.start),
            "end": utc_text(shift.end),
            "local_start": shift.start.astimezone(zone).isoformat(),
            "local_end": shift.end.astimezone(zone).isoformat(),
        }
        for shift in shifts
    ]


def describe_violation(found: Violation, timezone: str) -> str:
    """One line for people: the local stretch, the rule, what is wrong."""
    zone = ZoneInfo(timezone)
    start, end = found.start.astimezone(zone), found.end.astimezone(zone)
    return f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}  {found.rule}: {found.detail}"
