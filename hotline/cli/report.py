"""`hotline report`: a monthly or yearly statistics report that may leave the hospital."""

from __future__ import annotations

from pathlib import Path

import click

from hotline.cli.context import database, fail, settings
from hotline.clock import now
from hotline.records import audit
from hotline.records.report import ALL, report, year_figures
from hotline.records.report_render import FORMATS, LANGUAGES, as_csv, as_pdf, words
from hotline.records.report_request import BadReport, check_scope, parse_period, scope_name

REFUSALS = {
    "period": "the period must be YYYY or YYYY-MM, and already begun",
    "unknown-line": "no such line",
}


@click.command("report")
@click.argument("hotline", required=False)
@click.option("--all", "every", is_flag=True, help="Every line together.")
@click.option("--month", help="A month: YYYY-MM (each line's own zone).")
@click.option("--year", help="A calendar year: YYYY.")
@click.option("--format", "kind", type=click.Choice(FORMATS), required=True)
@click.option("--lang", "language", type=click.Choice(LANGUAGES), default="en", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def report_command(
    hotline: str | None,
    every: bool,
    month: str | None,
    year: str | None,
    kind: str,
    language: str,
    output: Path,
) -> None:
    """Counts of calls only, small counts suppressed (docs/statistics.md): safe to publish."""
    if every == (hotline is not None):
        fail("name one line, or --all")
    if (month is None) == (year is None):
        fail("give --month YYYY-MM or --year YYYY")
    at = now()
    with database().write() as db:
        try:
            period = parse_period(month or year or "", at.date())
            scope = check_scope(db, ALL if every else hotline or "", None)
        except BadReport as refused:
            fail(f"{REFUSALS.get(refused.code, refused.code)}: {refused.detail}")
        detail = {"scope": scope, "period": period.key, "format": kind}
        audit.record(db, at, "stats.report", actor="cli", source="cli", detail=detail)
        found = report(
            year_figures(db, period.year, at, settings().report_suppress_up_to), scope, period
        )
        name = scope_name(db, scope)
    say = words(language)
    try:
        if kind == "csv":
            output.write_text(as_csv(found, say), encoding="utf-8")
        else:
            output.write_bytes(as_pdf(found, say, name, at.date()))
    except OSError as problem:
        fail(f"cannot write {output}: {problem.strerror}")
