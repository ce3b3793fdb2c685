"""Checking the rota sections of a file: patterns, overrides and leave."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from hotline.config.document import Configuration, LeaveConfig, OverrideConfig, PatternConfig
from hotline.config.fields import Entry, Problems
from rota.localtime import parse_moment, to_instant
from rota.model import WEEKDAYS

_PERIOD = re.compile(r"^([1-9][0-9]{0,3})([hd])$")
MAX_TIER = 9


class RotaChecker:
    """Reads rota entries against the lines (and their zones) and counselors the file knows."""

    def __init__(self, zones: dict[str, str], counselors: set[str], problems: Problems) -> None:
        self.zones, self.counselors, self.problems = zones, counselors, problems

    def pattern(self, entry: Entry) -> PatternConfig | None:
        entry.refuse_unknown(
            {"key", "hotline", "tier", "weekly", "rotation", "counselors", "from", "until"}
        )
        hotline, tier = self._hotline(entry), entry.integer("tier", None, 1, MAX_TIER)
        key = entry.key(required=False)
        valid_from, valid_until = entry.day("from"), entry.day("until")
        if valid_from and valid_until and valid_until < valid_from:
            entry.problem("until", "is before `from`")
        shape = self._shape(entry)
        counselors = self._pattern_counselors(entry)
        if tier is None and "tier" not in entry.data:
            entry.problem("tier", "required")
        if hotline is None or tier is None or shape is None or counselors is None:
            return None
        kind, spec = shape
        return PatternConfig(hotline, tier, kind, spec, counselors, valid_from, valid_until, key)

    def override(self, entry: Entry) -> OverrideConfig | None:
        entry.refuse_unknown({"key", "hotline", "tier", "start", "end", "counselors"})
        hotline, tier = self._hotline(entry), entry.integer("tier", None, 1, MAX_TIER)
        if tier is None and "tier" not in entry.data:
            entry.problem("tier", "required")
        key, counselors = entry.key(required=False), self._counselors(entry, "counselors")
        window = self._window(entry, [self.zones[hotline]] if hotline in self.zones else [])
        if hotline is None or tier is None or counselors is None or window is None:
            return None
        return OverrideConfig(hotline, tier, window[0], window[1], counselors, key)

    def leave(self, entry: Entry) -> LeaveConfig | None:
        entry.refuse_unknown({"key", "counselor", "start", "end"})
        counselor = entry.key("counselor")
        if counselor is not None and counselor not in self.counselors:
            entry.problem("counselor", f"unknown counselor {counselor!r}")
            counselor = None
        key = entry.key(required=False)
        window = self._window(entry, sorted(set(self.zones.values())))
        if counselor is None or window is None:
            return None
        return LeaveConfig(counselor, window[0], window[1], key)

    def check_keys_unique(self, config: Configuration) -> None:
        """A key names one entry of its line (patterns, overrides) or counselor (leave)."""
        scopes: list[tuple[str, tuple[Any, ...]]] = [
            ("rota", tuple((p.hotline, p.key) for p in config.rota or () if p.key)),
            ("overrides", tuple((o.hotline, o.key) for o in config.overrides or () if o.key)),
            ("leave", tuple((v.counselor, v.key) for v in config.leave or () if v.key)),
        ]
        for section, keys in scopes:
            for (owner, key), count in Counter(keys).items():
                if count > 1:
                    self.problems.add(
                        0, section, f"key {key!r} is used {count} times for {owner!r}"
                    )

    def _hotline(self, entry: Entry) -> str | None:
        key = entry.key("hotline")
        if key is not None and key not in self.zones:
            entry.problem("hotline", f"unknown hotline {key!r}")
            return None
        return key

    def _counselors(self, entry: Entry, field: str) -> tuple[str, ...] | None:
        if field not in entry.data:
            entry.problem(field, "required")
            return None
        names = entry.words(field)
        if not names:
            entry.problem(field, "a tier needs at least one counselor")
            return None
        unknown = [name for name in names if name not in self.counselors]
        for name in unknown:
            entry.problem(field, f"unknown counselor {name!r}")
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            entry.problem(field, f"named twice: {', '.join(repeated)}")
        return None if unknown or repeated else names

    def _pattern_counselors(self, entry: Entry) -> tuple[str, ...] | None:
        """Beside `weekly`; inside `rotation` (the order of hand-over), as CONTRACT writes them."""
        rotation = entry.data.get("rotation")
        if isinstance(rotation, dict) and "counselors" in rotation:
            if "counselors" in entry.data:
                entry.problem("counselors", "give the rotation's counselors once, inside it")
                return None
            inner = Entry(rotation, f"{entry.where}.rotation", entry.line, self.problems)
            return self._counselors(inner, "counselors")
        return self._counselors(entry, "counselors")

    def _shape(self, entry: Entry) -> tuple[str, dict[str, Any]] | None:
        kinds = [kind for kind in ("weekly", "rotation") if kind in entry.data]
        if len(kinds) != 1:
            entry.problem("", "needs exactly one of `weekly` or `rotation`")
            return None
        kind = kinds[0]
        inner = Entry(entry.data[kind], f"{entry.where}.{kind}", entry.line, self.problems)
        spec = self._weekly(inner) if kind == "weekly" else self._rotation(inner)
        return (kind, spec) if spec is not None else None

    def _weekly(self, entry: Entry) -> dict[str, Any] | None:
        return weekly_window(entry)

    def _rotation(self, entry: Entry) -> dict[str, Any] | None:
        entry.refuse_unknown({"start", "every", "counselors"})
        start = self._moment(entry, "start")
        if start is not None and start.tzinfo is not None:
            entry.problem("start", "is a local wall-clock time: write it without an offset")
            start = None
        every = entry.raw("every")
        if every is not None and not (isinstance(every, str) and _PERIOD.match(every)):
            entry.problem("every", "must be like 12h or 1d")
            every = None
        if start is None or every is None:
            return None
        return {"start": start.isoformat(timespec="minutes"), "every": every}

    def _moment(self, entry: Entry, field: str) -> datetime | None:
        value = entry.raw(field)
        if isinstance(value, datetime):
            return value
        if not isinstance(value, str):
            if value is not None:
                entry.problem(field, 'must be a time like "2026-12-24T08:00"')
            return None
        try:
            return parse_moment(value)
        except ValueError as exc:
            entry.problem(field, str(exc))
            return None

    def _window(self, entry: Entry, zones: list[str]) -> tuple[str, str] | None:
        start, end = self._moment(entry, "start"), self._moment(entry, "end")
        if start is None or end is None:
            return None
        for zone in zones or ["UTC"]:
            tz = ZoneInfo(zone)
            if to_instant(end, tz) <= to_instant(start, tz):
                entry.problem("end", "must be after `start`")
                return None
        return _written(start), _written(end)


def _written(moment: datetime) -> str:
    return moment.isoformat(timespec="minutes") if moment.second == 0 else moment.isoformat()


def weekly_window(entry: Entry) -> dict[str, Any] | None:
    """`{days, start, end}`: the same local slot on these weekdays (a `weekly` pattern's shape,
    also a line's service hours); end <= start runs past midnight."""
    entry.refuse_unknown({"days", "start", "end"})
    days = entry.words("days")
    wrong = [day for day in days if day not in WEEKDAYS]
    if wrong or not days:
        entry.problem("days", f"must list days among {', '.join(WEEKDAYS)}")
    start, end = entry.clock("start"), entry.clock("end")
    if wrong or not days or start is None or end is None:
        return None
    ordered = sorted(set(days), key=WEEKDAYS.index)
    return {"days": ordered, "start": start, "end": end}
