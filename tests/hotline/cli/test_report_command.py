"""`hotline report`: a month or a year, one line or all, as CSV or PDF; audited; exit 2 on bad
input."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select

from hotline.cli import cli
from hotline.cli.context import Services
from hotline.db import Database
from hotline.models import AuditEntry
from settings import Settings
from tests.conftest import RecordsWorld
from tests.hotline.records.report_world import a_year_of_calls

Run = Any


@pytest.fixture
def run(settings: Settings, records_db: Database) -> Run:
    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), obj=Services(settings, records_db))

    return invoke


def test_a_yearly_csv_of_every_line_has_months_the_year_and_suppressed_cells(
    run: Run, world: RecordsWorld, tmp_path: Path
) -> None:
    a_year_of_calls(world)
    out = tmp_path / "year.csv"

    done = run("report", "--all", "--year", "2026", "--format", "csv", "-o", str(out))

    assert done.exit_code == 0, done.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    periods = {row["period"] for row in rows}
    assert periods == {"2026", *(f"2026-{m:02d}" for m in range(1, 13))}
    assert {row["scope"] for row in rows} == {"*"}
    values = [row["value"] for row in rows if row["section"] != "speed"]
    assert "x" in values
    assert all(v == "x" or v == "0" or int(v) > 10 for v in values)
    with world.database.read() as reading:
        entry = reading.scalar(select(AuditEntry).where(AuditEntry.action == "stats.report"))
        assert entry is not None
        assert entry.detail == {"scope": "*", "period": "2026", "format": "csv"}


def test_a_monthly_pdf_of_one_line_in_chinese(
    run: Run, world: RecordsWorld, tmp_path: Path
) -> None:
    a_year_of_calls(world)
    out = tmp_path / "march.pdf"

    done = run(
        "report", "city", "--month", "2026-03", "--format", "pdf", "--lang", "zh-CN", "-o", str(out)
    )

    assert done.exit_code == 0, done.output
    assert out.read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["nowhere", "--year", "2026"], "no such line: nowhere"),
        (["city", "--all", "--year", "2026"], "name one line, or --all"),
        (["city", "--year", "2026", "--month", "2026-01"], "--month YYYY-MM or --year YYYY"),
        (["city", "--month", "2026-13"], "YYYY or YYYY-MM"),
        (["city", "--year", "2999"], "already begun"),
    ],
    ids=["unknown-line", "both", "month-and-year", "no-such-month", "future"],
)
def test_a_bad_report_request_exits_2_naming_the_problem(
    run: Run, world: RecordsWorld, tmp_path: Path, args: list[str], problem: str
) -> None:
    refused = run("report", *args, "--format", "csv", "-o", str(tmp_path / "r.csv"))

    assert refused.exit_code == 2
    assert problem in refused.output
    assert not (tmp_path / "r.csv").exists()
