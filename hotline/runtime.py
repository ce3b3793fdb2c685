"""The long-lived objects of one process, shared by its requests: settings, database, caches;
and the one way to them from an app or a request (`runtime()`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask.sansio.app import App

from hotline.db import Database
from hotline.duty import DutyIndex
from hotline.routing.directory import LineDirectory
from hotline.routing.inputs import RoutingContext
from hotline.routing.recovery import SpoolLoader
from hotline.spool import Spool
from settings import Settings

DEFAULT_SPOOL_DIR = Path("instance") / "spool"
_EXTENSION = "hotline"  # the key of the runtime in `Flask.extensions`, spelled only here


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
    spool: Spool = field(init=False)
    spool_loader: SpoolLoader = field(init=False)

    def __post_init__(self) -> None:
        self.routing = routing_context(self.settings, self.duty, self.lines)
        self.spool = Spool.of(self.spool_dir, self.database.identity_url)
        self.lines.keep_in(self.spool_dir / f"{self.spool.stem}-lines.json")
        self.spool_loader = SpoolLoader(lambda: self.database, self.spool, self.routing)


def routing_context(
    settings: Settings, duty: DutyIndex | None = None, lines: LineDirectory | None = None
) -> RoutingContext:
    return RoutingContext(
        settings.fallback_number,
        settings.pseudonym_key,
        settings.pseudonym_key_previous,
        duty or DutyIndex(),
        lines or LineDirectory(),
    )


def install_runtime(app: App, current: Runtime) -> None:
    """Make `current` the runtime of `app` (the app factory does, once)."""
    app.extensions[_EXTENSION] = current


def runtime(app: App | None = None) -> Runtime:
    """The runtime of `app`, or of the app handling the current request."""
    found: Runtime = (current_app if app is None else app).extensions[_EXTENSION]
    return found
