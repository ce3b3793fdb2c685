"""The configuration as checked values: what import writes and export reads back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

DEFAULT_RING_SECONDS = 20
DEFAULT_MAX_WAIT_SECONDS = 90
RING_STRATEGIES = ("sequential", "simultaneous")
LANGUAGES = ("zh-CN", "en")


@dataclass(frozen=True, slots=True)
class HotlineConfig:
    key: str
    name: str
    number: str
    timezone: str
    language: str
    ring_seconds: int
    max_wait_seconds: int
    ring_strategy: str
    overflow: tuple[str, ...]
    fallback_number: str | None
    closing_message: str | None
    alert_escalation_minutes: int = 10
    message_links: bool = True
    auto_approve_swaps: bool = False
    service_hours: tuple[dict[str, Any], ...] | None = None
    coverage_rules: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class CounselorConfig:
    key: str
    name: str
    phone: str
    qualifications: tuple[str, ...]
    languages: tuple[str, ...]
    active: bool


@dataclass(frozen=True, slots=True)
class PartnerConfig:
    key: str
    name: str


@dataclass(frozen=True, slots=True)
class PatternConfig:
    """`kind` is `weekly` (spec: days, start, end) or `rotation` (spec: start, every)."""

    hotline: str
    tier: int
    kind: str
    spec: dict[str, Any]
    counselors: tuple[str, ...]
    valid_from: date | None
    valid_until: date | None
    key: str | None


@dataclass(frozen=True, slots=True)
class OverrideConfig:
    hotline: str
    tier: int
    start: str
    end: str
    counselors: tuple[str, ...]
    key: str | None


@dataclass(frozen=True, slots=True)
class LeaveConfig:
    counselor: str
    start: str
    end: str
    key: str | None


@dataclass(frozen=True, slots=True)
class Configuration:
    """A section is None when the file leaves it out: import then keeps what is there.

    `declared_lines` (those of the file's `hotlines:` section) and `declared_counselors` (of
    its `counselors:`) are the owners whose rota entries the file states in full: their
    patterns and overrides (leave) are replaced by the file's. Entries of any other line
    (counselor) are merged: added, or changed by `key`, never removed (see `importer`).
    """

    hotlines: tuple[HotlineConfig, ...] | None = None
    partners: tuple[PartnerConfig, ...] | None = None
    counselors: tuple[CounselorConfig, ...] | None = None
    rota: tuple[PatternConfig, ...] | None = None
    overrides: tuple[OverrideConfig, ...] | None = None
    leave: tuple[LeaveConfig, ...] | None = None
    declared_lines: frozenset[str] = frozenset()
    declared_counselors: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Known:
    """What the database already holds, for files that leave a section out."""

    hotline_zones: dict[str, str]
    counselors: frozenset[str]
    # number -> line key, phone -> a counselor's key: a line must not ring a counselor's phone.
    line_numbers: dict[str, str] = field(default_factory=dict)
    counselor_phones: dict[str, str] = field(default_factory=dict)
