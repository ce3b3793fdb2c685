"""The long-lived objects of one process, shared by its requests: settings, database, caches."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hotline.db import Database
from hotline.duty import DutyIndex
from hotline.routing.directory import LineDirectory
from hotline.routing.inputs import RoutingContext
from settings import Settings

DEFAULT_SPOOL_DIR = Path("instance") / "spool"


@dataclass(slots=True)
class Counters:
    """Events an operator must see, beside their log lines (per process)."""

    routing_errors: int = 0
    rejected_signatures: int = 0


@dataclass(slots=True)
class Runtime:
    settings: Settings
    database: Database
    spool_dir: Path = DEFAULT_SPOOL_DIR
    duty: DutyIndex = field(default_factory=DutyIndex)
    counters: Counters = field(default_factory=Counters)
    lines: LineDirectory = field(default_factory=LineDirectory)
    routing: RoutingContext = field(init=False)

    def __post_init__(self) -> None:
        self.routing = RoutingContext(
            self.settings.fallback_number,
            self.settings.pseudonym_key,
            self.settings.pseudonym_key_previous,
            self.duty,
            self.lines,
        )
