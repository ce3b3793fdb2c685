"""`hotline config import|export`: the configuration file in and out."""

from __future__ import annotations

import json
from pathlib import Path

import click

from hotline.cli.context import database, fail, write
from hotline.clock import now
from hotline.config.exporter import export_configuration
from hotline.config.importer import known_configuration, write_configuration
from hotline.config.schema import ConfigurationError, parse_configuration


@click.group()
def config() -> None:
    """The configuration file (lines, counselors, rota)."""


@config.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def config_import(file: Path) -> None:
    """Load FILE; every problem is listed and nothing is written when one is found."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{file}: cannot read: {exc}")
    try:
        # Parsed and checked before the write lock is taken: calls and callbacks must never
        # wait behind a large file being read (SQLite has one writer at a time).
        with database().read() as session:
            known = known_configuration(session)
        checked = parse_configuration(text, known)
        with database().write() as session:
            summary = write_configuration(session, checked, known, text, now())
    except ConfigurationError as exc:
        fail(f"{file}: {len(exc.problems)} problem(s), nothing written:\n" + str(exc))
    write(json.dumps(summary.as_json(), ensure_ascii=False, indent=2))


@config.command("export")
def config_export() -> None:
    """Print the configuration in force as YAML."""
    with database().read() as session:
        write(export_configuration(session))
