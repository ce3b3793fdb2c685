"""A line's rota as a canonical JSON-able document: what the database stores and hashes.

`json.dumps(to_document(rota), sort_keys=True)` is the content hash input; the round trip is exact.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rota.localtime import parse_moment
from rota.model import WEEKDAYS, Leave, LineRota, Override, Pattern, Period, Rotation, Weekly

Document = dict[str, Any]
_T = TypeVar("_T")
_PERIOD = re.compile(r"([1-9][0-9]*)([hd])")


def to_document(rota: LineRota) -> Document:
    """The canonical document: lists keep their (meaningful) order, `inactive` is sorted."""
    if rota.tz.key is None:
        raise ValueError("the rota's time zone has no IANA name")
    return {
        "timezone": rota.tz.key,
        "patterns": [_pattern_document(pattern) for pattern in rota.patterns],
        "overrides": [
            {
                "tier": override.tier,
                "start": _moment_text(override.start),
                "end": _moment_text(override.end),
                "counselors": list(override.counselors),
                "key": override.key,
            }
            for override in rota.overrides
        ],
        "leave": [
            {
                "counselor": leave.counselor,
                "start": _moment_text(leave.start),
                "end": _moment_text(leave.end),
                "key": leave.key,
            }
            for leave in rota.leave
        ],
        "inactive": sorted(rota.inactive),
    }


def from_document(doc: Mapping[str, Any], around: datetime | None = None) -> LineRota:
    """The rota that `to_document` wrote; ValueError naming the place of anything malformed.

    With `around` (an instant), only the overrides and leave whose dates come within two days
    of it are read: enough to answer for that instant, and far cheaper for a long rota. The
    test is on the written dates as text (ISO dates sort as text), and no zone or offset moves
    a moment by as much as a day.
    """
    _fields(doc, {"timezone", "patterns", "overrides", "leave", "inactive"}, "rota")
    near = _near(around)
    overrides = _get(doc, "overrides", list, "rota")
    try:
        tz = ZoneInfo(_get(doc, "timezone", str, "rota"))
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"rota.timezone: unknown time zone ({error})") from None
    return LineRota(
        tz=tz,
        patterns=tuple(
            _read_pattern(item, f"patterns[{n}]")
            for n, item in enumerate(_get(doc, "patterns", list, "rota"))
        ),
        overrides=tuple(
            _read_override(item, f"overrides[{n}]")
            for n, item in enumerate(overrides)
            if near(item)
        ),
        leave=tuple(
            _read_leave(item, f"leave[{n}]")
            for n, item in enumerate(_get(doc, "leave", list, "rota"))
            if near(item)
        ),
        inactive=frozenset(_names(doc, "inactive", "rota")),
        tiers_at_least=_highest_tier(overrides) if around is not None else 0,
    )


def _highest_tier(overrides: list[Any]) -> int:
    """The highest tier any override names, near the instant or not (see `LineRota`)."""
    return max((_tier(item, f"overrides[{n}]") for n, item in enumerate(overrides)), default=0)


def _near(around: datetime | None) -> Callable[[Any], bool]:
    if around is None:
        return lambda item: True
    first = (around - timedelta(days=2)).date().isoformat()
    last = (around + timedelta(days=2)).date().isoformat()

    def near(item: Any) -> bool:
        if not isinstance(item, Mapping):
            return True  # let the reader name the problem
        start, end = item.get("start"), item.get("end")
        if not isinstance(start, str) or not isinstance(end, str):
            return True
        return start[:10] <= last and end[:10] >= first

    return near


def _pattern_document(pattern: Pattern) -> Document:
    shape = pattern.shape
    document: Document = {"tier": pattern.tier}
    if isinstance(shape, Weekly):
        days = [WEEKDAYS[day] for day in sorted(shape.days)]
        start, end = _time_text(shape.start), _time_text(shape.end)
        document["weekly"] = {"days": days, "start": start, "end": end}
    else:
        every = f"{shape.every.amount}{shape.every.unit}"
        document["rotation"] = {"start": _moment_text(shape.start), "every": every}
    document["counselors"] = list(pattern.counselors)
    document["from"] = pattern.valid_from.isoformat() if pattern.valid_from else None
    document["until"] = pattern.valid_until.isoformat() if pattern.valid_until else None
    document["key"] = pattern.key
    return document


def _time_text(wall: time) -> str:
    return wall.isoformat("minutes" if not wall.second and not wall.microsecond else "auto")


def _moment_text(moment: datetime) -> str:
    """ISO 8601, to the minute when that is exact; naive stays naive, aware keeps its offset."""
    exact_minute = not moment.second and not moment.microsecond
    return moment.isoformat(timespec="minutes" if exact_minute else "auto")


def _read_pattern(item: Any, where: str) -> Pattern:
    shapes = {"weekly", "rotation"} & set(item) if isinstance(item, Mapping) else set()
    if len(shapes) != 1:
        raise ValueError(f"{where}: needs exactly one of weekly or rotation")
    shape_name = shapes.pop()
    _fields(item, {"tier", shape_name, "counselors", "from", "until", "key"}, where)
    shape_doc = _get(item, shape_name, dict, where)
    place = f"{where}.{shape_name}"
    shape = (
        _read_weekly(shape_doc, place)
        if shape_name == "weekly"
        else _read_rotation(shape_doc, place)
    )
    return Pattern(
        tier=_tier(item, where),
        shape=shape,
        counselors=_names(item, "counselors", where),
        valid_from=_optional_date(item, "from", where),
        valid_until=_optional_date(item, "until", where),
        key=_get(item, "key", str, where, None),
    )


def _read_weekly(doc: Mapping[str, Any], where: str) -> Weekly:
    _fields(doc, {"days", "start", "end"}, where)
    days = _names(doc, "days", where)
    unknown = [day for day in days if day not in WEEKDAYS]
    if unknown:
        raise ValueError(f"{where}.days: unknown weekday {unknown[0]!r}")
    start, end = (
        _time(_get(doc, name, str, where), f"{where}.{name}") for name in ("start", "end")
    )
    return Weekly(frozenset(WEEKDAYS.index(day) for day in days), start, end)


def _read_rotation(doc: Mapping[str, Any], where: str) -> Rotation:
    _fields(doc, {"start", "every"}, where)
    start = _moment(_get(doc, "start", str, where), f"{where}.start")
    every = _PERIOD.fullmatch(_get(doc, "every", str, where))
    if every is None:
        raise ValueError(f"{where}.every: expected a period such as 12h or 1d")
    amount = int(every.group(1))
    return Rotation(start, Period(amount, "h") if every.group(2) == "h" else Period(amount, "d"))


def _read_override(item: Any, where: str) -> Override:
    _fields(item, {"tier", "start", "end", "counselors", "key"}, where)
    return Override(
        tier=_tier(item, where),
        start=_moment(_get(item, "start", str, where), f"{where}.start"),
        end=_moment(_get(item, "end", str, where), f"{where}.end"),
        counselors=_names(item, "counselors", where),
        key=_get(item, "key", str, where, None),
    )


def _read_leave(item: Any, where: str) -> Leave:
    _fields(item, {"counselor", "start", "end", "key"}, where)
    return Leave(
        counselor=_get(item, "counselor", str, where),
        start=_moment(_get(item, "start", str, where), f"{where}.start"),
        end=_moment(_get(item, "end", str, where), f"{where}.end"),
        key=_get(item, "key", str, where, None),
    )


def _fields(item: Any, allowed: set[str], where: str) -> None:
    """A document from a newer writer fails loudly instead of losing what it says."""
    if not isinstance(item, Mapping):
        raise ValueError(f"{where}: expected an object")
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise ValueError(f"{where}: unknown field {unknown[0]!r}")


_MISSING: Any = object()


def _get(
    item: Mapping[str, Any], name: str, kind: type[_T], where: str, default: Any = _MISSING
) -> _T:
    if name not in item or (item[name] is None and default is not _MISSING):
        if default is _MISSING:
            raise ValueError(f"{where}: missing {name}")
        return default  # type: ignore[no-any-return]
    value = item[name]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueError(f"{where}.{name}: expected {kind.__name__}, got {value!r}")
    return value


def _tier(item: Mapping[str, Any], where: str) -> int:
    tier = _get(item, "tier", int, where)
    if tier < 1:
        raise ValueError(f"{where}.tier: tiers are numbered from 1, got {tier}")
    return tier


def _names(item: Mapping[str, Any], name: str, where: str) -> tuple[str, ...]:
    names = _get(item, name, list, where)
    if not all(isinstance(each, str) for each in names):
        raise ValueError(f"{where}.{name}: expected a list of strings")
    return tuple(names)


def _moment(text: str, where: str) -> datetime:
    try:
        return parse_moment(text)
    except ValueError as error:
        raise ValueError(f"{where}: {error}") from None


def _optional_date(item: Mapping[str, Any], name: str, where: str) -> date | None:
    text = _get(item, name, str, where, None)
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{where}.{name}: {text!r} is not a date like 2026-12-01") from None


def _time(text: str, where: str) -> time:
    try:
        return time.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{where}: {text!r} is not a time like 08:00") from None
