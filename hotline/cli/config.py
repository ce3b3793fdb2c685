"""`hotline config import|export`: the configuration file in and out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from sqlalchemy.orm import Session

from hotline.cli.context import database, fail, write
from hotline.clock import now
from hotline.config.difference import Difference
from hotline.config.document import Configuration, Known
from hotline.config.exporter import export_configuration
from hotline.config.importer import known_configuration, write_configuration
from hotline.config.schema import ConfigurationError, parse_configuration
from hotline.rota_answers import describe_violation, violations_json
from hotline.rota_rules import created, lines_with_rules, violations_from
from rota.rules import Violation

CHECK_DAYS = 28  # as `hotline rota check`


@click.group()
def config() -> None:
    """The configuration file (lines, counselors, rota)."""


@config.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Print what would change, and write nothing.")
def config_import(file: Path, dry_run: bool) -> None:
    """Load FILE; every problem is listed and nothing is written when one is found. What
    changes is printed entry by entry (on standard error; in the JSON as `difference`)."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{file}: cannot read: {exc}")
    try:
        # Parsed and checked before the write lock is taken: calls and callbacks must never
        # wait behind a large file being read (SQLite has one writer at a time).
        with database().read() as session:
            known = known_configuration(session)
            # The rules as they stand, to tell what the import would break (outside the lock).
            before = violations_from(session, now(), CHECK_DAYS)
        checked = parse_configuration(text, known)
        if dry_run:
            difference, after = _rehearse(checked, known, text)
            click.echo(difference.describe(), err=True)
            broken = _report_violations(created(before, after[0]), after[1], "would be imported")
            click.echo("(dry run: nothing written)", err=True)
            _json({"dry_run": True, "difference": difference.as_json(), "violations": broken})
            return
        with database().write() as session:
            summary = write_configuration(session, checked, known, text, now())
    except ConfigurationError as exc:
        fail(f"{file}: {len(exc.problems)} problem(s), nothing written:\n" + str(exc))
    click.echo(summary.difference.describe(), err=True)
    broken = _violations_created(before) if summary.changed else {}
    _json({**summary.as_json(), "violations": broken})


def _rehearse(
    checked: Configuration, known: Known, text: str
) -> tuple[Difference, tuple[dict[str, list[Violation]], dict[str, str]]]:
    """What the import would change and the violations the rota would then have: the import
    is written in a savepoint and rolled back, so it is judged by the very code that imports
    (it takes the write lock for as long as an import does)."""
    with database().write() as session:
        rehearsal = session.begin_nested()
        try:
            difference = write_configuration(session, checked, known, text, now()).difference
            session.flush()
            return difference, _violations_now(session)
        finally:
            rehearsal.rollback()


def _violations_now(session: Session) -> tuple[dict[str, list[Violation]], dict[str, str]]:
    """Every line's violations in the next `CHECK_DAYS`, and the zones of the lines."""
    zones = {line.key: line.timezone for line in lines_with_rules(session)}
    return violations_from(session, now(), CHECK_DAYS), zones


def _violations_created(before: dict[str, list[Violation]]) -> dict[str, list[Any]]:
    """Print the coverage-rule violations the import made (it has imported all the same:
    rules warn, they never block a rota); the same, per line, for the JSON."""
    with database().read() as session:
        after, zones = _violations_now(session)
    return _report_violations(created(before, after), zones, "imported")


def _report_violations(
    made: dict[str, list[Violation]], zones: dict[str, str], done: str
) -> dict[str, list[Any]]:
    """Print each line's new violations on standard error; the same, per line, for the JSON."""
    for line, found in made.items():
        click.echo(f"warning: {line}: {len(found)} new coverage-rule violation(s) in the "
                   f"next {CHECK_DAYS} days ({done} all the same):", err=True)  # fmt: skip
        for each in found:
            click.echo(f"  {describe_violation(each, zones[line])}", err=True)
    return {line: violations_json(found, zones[line]) for line, found in made.items()}


def _json(value: dict[str, Any]) -> None:
    write(json.dumps(value, ensure_ascii=False, indent=2))


@config.command("export")
def config_export() -> None:
    """Print the configuration in force as YAML."""
    with database().read() as session:
        write(export_configuration(session))
