"""`hotline calls export`: the de-identified call log (what a supervisor of every line sees)."""

from __future__ import annotations

import sys
from datetime import date

import click

from hotline.cli.context import database
from hotline.clock import now
from hotline.records import audit
from hotline.records.calllog import CallFilters
from hotline.records.export import csv_chunks, export_rows, json_chunks
from hotline.records.scope import Viewer

EXPORTER = Viewer("cli", "admin")


@click.group("calls")
def calls() -> None:
    """Call records."""


@calls.command("export")
@click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="First day, inclusive.")
@click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Last day, inclusive.")
@click.option(
    "--format", "kind", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
def calls_export(start: object, end: object, kind: str) -> None:
    """One row per call; days are read in each line's own zone (default: the last 30 days)."""
    at = now()
    filters = CallFilters(start=_day(start), end=_day(end))
    with database().write() as db:
        detail = {**filters.as_json(), "format": kind}
        audit.record(db, at, "calls.export", actor="cli", source="cli", detail=detail)
    chunks = csv_chunks if kind == "csv" else json_chunks
    with database().read() as db:
        for chunk in chunks(export_rows(db, EXPORTER, filters, at)):
            sys.stdout.write(chunk)


def _day(value: object) -> date | None:
    return value.date() if hasattr(value, "date") else None
