"""`hotline config import --dry-run FILE`: the difference, and nothing written; the import
itself prints the same difference."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result
from sqlalchemy import func, select

from hotline.cli import cli
from hotline.cli.context import Services
from hotline.db import Database
from hotline.models import RotaOverride
from settings import Settings
from tests.hotline.config.files import SMALL

OVERRIDES = """overrides:
  - {hotline: city, tier: 1, start: "2026-12-24T08:00", end: "2026-12-25T08:00",
     counselors: [zhang-wei]}
  - {hotline: city, tier: 1, start: "2026-12-31T08:00", end: "2027-01-01T08:00",
     counselors: [li-na]}
"""
ONE = SMALL.replace(
    "overrides: []",
    'overrides:\n  - {hotline: city, tier: 1, start: "2027-02-16T08:00",'
    ' end: "2027-02-17T08:00", counselors: [li-na]}',
)


def test_a_dry_run_prints_the_difference_and_writes_nothing(
    settings: Settings, database: Database, tmp_path: Path
) -> None:
    def run(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), obj=Services(settings, database))

    two, one = tmp_path / "two.yaml", tmp_path / "one.yaml"
    two.write_text(SMALL.replace("overrides: []\n", OVERRIDES), encoding="utf-8")
    one.write_text(ONE, encoding="utf-8")
    assert run("config", "import", str(two)).exit_code == 0
    dry = run("config", "import", "--dry-run", str(one))
    assert dry.exit_code == 0, dry.output
    expected = (
        "overrides:\n"
        "  + city tier 1 2027-02-16T08:00 to 2027-02-17T08:00: li-na\n"
        "  - city tier 1 2026-12-24T08:00 to 2026-12-25T08:00: zhang-wei\n"
        "  - city tier 1 2026-12-31T08:00 to 2027-01-01T08:00: li-na\n"
    )
    assert dry.stderr == expected + "(dry run: nothing written)\n"
    assert json.loads(dry.stdout)["dry_run"] is True
    with database.read() as reading:
        assert reading.scalar(select(func.count()).select_from(RotaOverride)) == 2
    real = run("config", "import", str(one))
    assert real.stderr == expected
    assert json.loads(real.stdout)["difference"] == json.loads(dry.stdout)["difference"]
    with database.read() as reading:
        assert reading.scalar(select(func.count()).select_from(RotaOverride)) == 1
