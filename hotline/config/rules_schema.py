"""Checking a line's `coverage_rules` in the file: each rule optional, each problem placed."""

from __future__ import annotations

from typing import Any

from hotline.config.fields import Entry
from hotline.config.located import LocatedList
from hotline.config.rota_schema import weekly_window

RULE_FIELDS = {
    "tier1_staffed",
    "qualified",
    "max_consecutive_nights",
    "min_rest_hours",
    "max_weekly_hours",
    "night",
}
HOURS_IN_A_WEEK = 168


def coverage_rules(line: Entry) -> dict[str, Any] | None:
    """The rules as written (only the keys given, so export writes back the same file);
    absent: the line has none."""
    raw = line.raw("coverage_rules", None)
    if raw is None:
        return None
    entry = Entry(raw, f"{line.where}.coverage_rules", line.line, line.problems)
    if not entry.valid:
        return None
    entry.refuse_unknown(RULE_FIELDS)
    rules: dict[str, Any] = {}
    if "tier1_staffed" in entry.data:
        rules["tier1_staffed"] = entry.boolean("tier1_staffed", False)
    if "qualified" in entry.data:
        rules["qualified"] = _qualified(entry)
    if "max_consecutive_nights" in entry.data:
        rules["max_consecutive_nights"] = entry.integer("max_consecutive_nights", None, 1, 31)
    for name in ("min_rest_hours", "max_weekly_hours"):
        if name in entry.data:
            rules[name] = _hours(entry, name)
    if "night" in entry.data:
        rules["night"] = _night(entry)
    return rules if entry.valid and None not in rules.values() else None


def _qualified(entry: Entry) -> list[dict[str, Any]] | None:
    items = entry.data["qualified"]
    if not isinstance(items, LocatedList) or not items:
        entry.problem("qualified", "must be a list of {qualification, days, start, end}")
        return None
    found: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        where = f"{entry.where}.qualified[{index}]"
        each = Entry(item, where, items.item_lines[index], entry.problems)
        qualification = each.text("qualification", limit=64)
        window = weekly_window(_without(each, "qualification")) if each.valid else None
        if qualification is None or window is None:
            return None
        found.append({"qualification": qualification, **window})
    return found


def _without(entry: Entry, field: str) -> Entry:
    """The same mapping less `field`, so the window's own check names only its fields."""
    copy = type(entry.data)((k, v) for k, v in entry.data.items() if k != field)
    copy.key_lines = entry.data.key_lines
    copy.line = entry.data.line
    return Entry(copy, entry.where, entry.line, entry.problems)


def _hours(entry: Entry, name: str) -> float | int | None:
    value = entry.data[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        entry.problem(name, f"must be a number of hours from 0 to {HOURS_IN_A_WEEK}")
        return None
    if not 0 < value <= HOURS_IN_A_WEEK:
        entry.problem(name, f"must be a number of hours from 0 to {HOURS_IN_A_WEEK}")
        return None
    return value


def _night(entry: Entry) -> dict[str, str] | None:
    night = Entry(entry.data["night"], f"{entry.where}.night", entry.line, entry.problems)
    if not night.valid:
        return None
    night.refuse_unknown({"start", "end"})
    start, end = night.clock("start"), night.clock("end")
    if start is None or end is None:
        return None
    if start == end:
        night.problem("end", "must differ from `start`")
        return None
    return {"start": start, "end": end}
