"""Checking a configuration file: every problem with its line and path, or a `Configuration`."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hotline.config.document import (
    DEFAULT_MAX_WAIT_SECONDS,
    DEFAULT_RING_SECONDS,
    LANGUAGES,
    RING_STRATEGIES,
    Configuration,
    CounselorConfig,
    HotlineConfig,
    Known,
    PartnerConfig,
)
from hotline.config.fields import Entry, Problems
from hotline.config.located import LocatedList, LocatedMap, YamlProblem, load_located
from hotline.config.rota_schema import RotaChecker, weekly_window
from hotline.config.rules_schema import coverage_rules
from hotline.phones import region_of

SECTIONS = ("hotlines", "partners", "counselors", "rota", "overrides", "leave")
T = TypeVar("T")


class ConfigurationError(ValueError):
    """The file cannot be imported; `problems` names each one with its place."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def parse_configuration(text: str, known: Known) -> Configuration:
    """Read and check a whole file; raise `ConfigurationError` listing every problem."""
    try:
        data = load_located(text)
    except YamlProblem as exc:
        raise ConfigurationError(exc.problems) from None
    problems = Problems()
    if not isinstance(data, LocatedMap):
        raise ConfigurationError(["line 1: the file must be a mapping of sections"])
    for name in data:
        if name not in SECTIONS:
            problems.add(
                data.key_lines[name], name, f"unknown section (known: {', '.join(SECTIONS)})"
            )
    hotlines = _section(data, "hotlines", problems, _hotline)
    region = region_of(hotlines[0].number) if hotlines else None
    counselors = _section(data, "counselors", problems, lambda e: _counselor(e, region))
    partners = _section(data, "partners", problems, _partner)
    _refuse_duplicate_keys(data, problems)
    _refuse_lines_that_ring_counselors(data, hotlines, counselors, known, problems)
    zones = dict(known.hotline_zones)
    if hotlines is not None:
        zones.update(_declared_zones(data))
        _check_overflow(data, zones, problems)
    names = {c.key for c in counselors} if counselors is not None else set(known.counselors)
    rota = RotaChecker(zones, names, problems)
    config = Configuration(
        hotlines=hotlines,
        partners=partners,
        counselors=counselors,
        rota=_section(data, "rota", problems, rota.pattern),
        overrides=_section(data, "overrides", problems, rota.override),
        leave=_section(data, "leave", problems, rota.leave),
        declared_lines=frozenset(h.key for h in hotlines or ()),
        declared_counselors=frozenset(c.key for c in counselors or ()),
    )
    rota.check_keys_unique(config)
    if problems.items:
        raise ConfigurationError(problems.items)
    return config


def _section(
    data: LocatedMap, name: str, problems: Problems, read: Callable[[Entry], T | None]
) -> tuple[T, ...] | None:
    if name not in data:
        return None
    items = data[name]
    if items is None:
        return ()
    if not isinstance(items, LocatedList):
        problems.add(data.key_lines[name], name, "must be a list")
        return ()
    read_items = [
        read(Entry(item, f"{name}[{index}]", items.item_lines[index], problems))
        for index, item in enumerate(items)
    ]
    return tuple(item for item in read_items if item is not None)


def _hotline(entry: Entry) -> HotlineConfig | None:
    entry.refuse_unknown(
        {
            "key",
            "name",
            "number",
            "timezone",
            "language",
            "ring_seconds",
            "max_wait_seconds",
            "ring_strategy",
            "overflow",
            "fallback_number",
            "closing_message",
            "alert_escalation_minutes",
            "message_links",
            "auto_approve_swaps",
            "service_hours",
            "coverage_rules",
        }
    )
    key, name, number = entry.key(), entry.text("name"), entry.phone("number", None)
    timezone = entry.timezone()
    language = entry.choice("language", "zh-CN", LANGUAGES)
    ring = entry.integer("ring_seconds", DEFAULT_RING_SECONDS, 5, 600)
    wait = entry.integer("max_wait_seconds", DEFAULT_MAX_WAIT_SECONDS, 5, 3600)
    strategy = entry.choice("ring_strategy", "sequential", RING_STRATEGIES)
    overflow = entry.words("overflow")
    fallback = entry.phone("fallback_number", region_of(number), required=False)
    closing = entry.text("closing_message", None, limit=1000)
    escalation = entry.integer("alert_escalation_minutes", 10, 1, 240)
    links = entry.boolean("message_links", True)
    swaps = entry.boolean("auto_approve_swaps", False)
    hours = _service_hours(entry)
    rules = coverage_rules(entry)
    if key is None or name is None or number is None or timezone is None:
        return None
    if language is None or ring is None or wait is None or strategy is None or escalation is None:
        return None
    return HotlineConfig(
        key,
        name,
        number,
        timezone,
        language,
        ring,
        wait,
        strategy,
        overflow,
        fallback,
        closing,
        escalation,
        links,
        swaps,
        hours,
        rules,
    )


def _service_hours(entry: Entry) -> tuple[dict[str, Any], ...] | None:
    """A list of weekly windows; absent: the line is meant to be staffed all the time."""
    items = entry.raw("service_hours", None)
    if items is None:
        return None
    if not isinstance(items, LocatedList) or not items:
        entry.problem("service_hours", "must be a list of {days, start, end} windows")
        return None
    windows = [
        weekly_window(
            Entry(item, f"{entry.where}.service_hours[{i}]", items.item_lines[i], entry.problems)
        )
        for i, item in enumerate(items)
    ]
    return tuple(w for w in windows if w is not None)


def _counselor(entry: Entry, region: str | None) -> CounselorConfig | None:
    entry.refuse_unknown({"key", "name", "phone", "qualifications", "languages", "active"})
    key, name, phone = entry.key(), entry.text("name"), entry.phone("phone", region)
    qualifications, languages = entry.words("qualifications"), entry.words("languages")
    active = entry.boolean("active", True)
    if key is None or name is None or phone is None:
        return None
    return CounselorConfig(key, name, phone, qualifications, languages, active)


def _partner(entry: Entry) -> PartnerConfig | None:
    entry.refuse_unknown({"key", "name"})
    key, name = entry.key(), entry.text("name")
    return PartnerConfig(key, name) if key is not None and name is not None else None


def _refuse_duplicate_keys(data: LocatedMap, problems: Problems) -> None:
    for section in ("hotlines", "counselors", "partners"):
        seen: set[Any] = set()
        items = data.get(section)
        if not isinstance(items, LocatedList):
            continue
        for index, item in enumerate(items):
            key = item.get("key") if isinstance(item, LocatedMap) else None
            if key is not None and key in seen:
                problems.add(
                    items.item_lines[index], f"{section}[{index}].key", f"duplicate key {key!r}"
                )
            seen.add(key)
    numbers: set[str] = set()
    for index, item in enumerate(data.get("hotlines") or []):
        number = item.get("number") if isinstance(item, LocatedMap) else None
        if number in numbers:
            problems.add(item.line, f"hotlines[{index}].number", "two lines share this number")
        if isinstance(number, str):
            numbers.add(number)


def _refuse_lines_that_ring_counselors(
    data: LocatedMap,
    hotlines: tuple[HotlineConfig, ...] | None,
    counselors: tuple[CounselorConfig, ...] | None,
    known: Known,
    problems: Problems,
) -> None:
    """A line's number that is also a counselor's phone would have the line ring itself. (Two
    counselors sharing one phone, a duty mobile, are fine: routing rings it for one call.)"""
    phones = known.counselor_phones if counselors is None else {c.phone: c.key for c in counselors}
    numbers = known.line_numbers if hotlines is None else {h.number: h.key for h in hotlines}
    if hotlines is not None:
        clashes = {h.key: f"counselor {phones[h.number]!r}" for h in hotlines if h.number in phones}
        places = _places(data, "hotlines", "number", clashes)
    elif counselors is not None:
        clashes = {c.key: f"line {numbers[c.phone]!r}" for c in counselors if c.phone in numbers}
        places = _places(data, "counselors", "phone", clashes)
    else:
        return
    for key, (line, where) in places.items():
        message = f"the same number as {clashes[key]}: a line's number cannot be a counselor's"
        problems.add(line, where, message)


def _places(
    data: LocatedMap, section: str, field: str, keys: Collection[str]
) -> dict[str, tuple[int, str]]:
    """Line and path of `field` in each entry of `section` whose key is one of `keys`."""
    found = {}
    for index, item in enumerate(data.get(section) or []):
        if isinstance(item, LocatedMap) and item.get("key") in keys:
            line = item.key_lines.get(field, item.line)
            found[item["key"]] = (line, f"{section}[{index}].{field}")
    return found


def _declared_zones(data: LocatedMap) -> dict[str, str]:
    """Every line the file declares, even one with problems of its own, so that entries that
    refer to it are not reported again; a line whose zone is wrong is read in UTC meanwhile."""
    zones = {}
    for item in data.get("hotlines") or []:
        if isinstance(item, LocatedMap) and isinstance(item.get("key"), str):
            zone = item.get("timezone")
            zones[item["key"]] = zone if isinstance(zone, str) and _is_zone(zone) else "UTC"
    return zones


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _check_overflow(data: LocatedMap, zones: dict[str, str], problems: Problems) -> None:
    for index, item in enumerate(data.get("hotlines") or []):
        if not isinstance(item, LocatedMap) or not isinstance(item.get("overflow"), list):
            continue
        where = f"hotlines[{index}].overflow"
        line = item.key_lines["overflow"]
        for target in item["overflow"]:
            if target == item.get("key"):
                problems.add(line, where, "a line cannot overflow to itself")
            elif target not in zones:
                problems.add(line, where, f"unknown hotline {target!r}")
