"""What every command needs: settings read once, a database, and exit code 2 for bad input.

Both come from a `Services` object on the click context, so tests hand in their own.
"""

from __future__ import annotations

import sys
from datetime import datetime
from typing import NoReturn

import click

from hotline.cli.schema_check import UNCHECKED, missing_sqlite_file, schema_problem
from hotline.db import Database
from rota.localtime import parse_moment
from settings import Settings, SettingsError


class BadInput(click.ClickException):
    """Exit 2 with a message naming the problem, as usage errors do."""

    exit_code = 2


class Services:
    """Settings and database, made on first use (so `--help` needs neither)."""

    def __init__(self, settings: Settings | None = None, database: Database | None = None) -> None:
        self._settings = settings
        self._database = database

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = Settings.from_env()
            except SettingsError as exc:
                fail(str(exc))
        return self._settings

    @property
    def database(self) -> Database:
        if self._database is None:
            checked = _command_words() not in UNCHECKED
            url = self.settings.database_url
            if checked and (problem := missing_sqlite_file(url)) is not None:
                fail(problem)
            database = Database.from_url(url)
            if checked and (problem := schema_problem(database)) is not None:
                database.engine.dispose()
                fail(problem)
            self._database = database
        return self._database


def _command_words() -> tuple[str, ...]:
    """The command being run, without the program: ("db", "upgrade"), ("rota", "gaps")."""
    words: list[str] = []
    ctx = click.get_current_context(silent=True)
    while ctx is not None and ctx.parent is not None:
        words.append(ctx.info_name or "")
        ctx = ctx.parent
    return tuple(reversed(words))


def services() -> Services:
    found = click.get_current_context().find_object(Services)
    assert found is not None, "the hotline group puts Services on the context"
    return found


def settings() -> Settings:
    return services().settings


def database() -> Database:
    return services().database


def fail(message: str) -> NoReturn:
    raise BadInput(message)


def parse_moment_option(value: str, option: str) -> datetime:
    """An ISO-8601 time; without an offset it is a wall-clock time of the line concerned."""
    try:
        return parse_moment(value)
    except ValueError as exc:
        fail(f"{option}: {exc}")


def write(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
