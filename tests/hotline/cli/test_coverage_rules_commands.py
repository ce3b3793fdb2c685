"""Coverage rules from the file to the operator: `rota check`, the import's warnings, export,
the coverage-gaps job; and the token commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from sqlalchemy import select, update

from hotline.api.tokens import TokenDigests, find_holder
from hotline.cli import cli
from hotline.cli.context import Services
from hotline.db import Database
from hotline.jobs.coverage_gaps import coverage_gaps
from hotline.jobs.env import JobEnv
from hotline.models import ApiToken, AuditEntry, User
from hotline.outbound.port import Outbound
from settings import Settings
from tests.conftest import RecordsWorld
from tests.hotline.notices.told import told

EVERY_DAY = "[mon, tue, wed, thu, fri, sat, sun]"
NOW_MONDAY = datetime(2030, 1, 14, 9, tzinfo=UTC)
RULES = """
    coverage_rules:
      tier1_staffed: true
      qualified:
        - {qualification: psychiatrist, days: [tue, thu, sat], start: "18:00", end: "22:00"}
      max_consecutive_nights: 3
      min_rest_hours: 11
      max_weekly_hours: 48
      night: {start: "01:00", end: "05:00"}"""


def configuration(rules: str = RULES, night_counselors: str = "[bob]") -> str:
    return f"""\
hotlines:
  - key: city
    name: City Line
    number: "+442079460100"
    timezone: Europe/London
    language: en{rules}
counselors:
  - {{key: ann, name: Ann, phone: "+447911123401", qualifications: [psychiatrist]}}
  - {{key: bob, name: Bob, phone: "+447911123402"}}
rota:
  - {{hotline: city, tier: 1, weekly: {{days: {EVERY_DAY}, start: "08:00", end: "20:00"}},
     counselors: [ann]}}
  - {{hotline: city, tier: 1, weekly: {{days: {EVERY_DAY}, start: "20:00", end: "08:00"}},
     counselors: {night_counselors}}}
"""


@pytest.fixture
def run(settings: Settings, database: Database):  # type: ignore[no-untyped-def]
    def invoke(*args: str) -> Result:
        return CliRunner().invoke(cli, list(args), obj=Services(settings, database))

    return invoke


def load(run, tmp_path: Path, text: str) -> Result:  # type: ignore[no-untyped-def]
    path = tmp_path / "hotline.yaml"
    path.write_text(text, encoding="utf-8")
    result: Result = run("config", "import", str(path))
    return result


def test_rules_round_trip_through_export_and_reimport_changes_nothing(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert load(run, tmp_path, configuration()).exit_code == 0
    exported = run("config", "export").stdout
    rules = yaml.safe_load(exported)["hotlines"][0]["coverage_rules"]
    assert rules["qualified"][0] == {
        "qualification": "psychiatrist", "days": ["tue", "thu", "sat"], "start": "18:00",
        "end": "22:00",
    }  # fmt: skip
    assert rules["min_rest_hours"] == 11
    assert rules["night"] == {"start": "01:00", "end": "05:00"}
    again = load(run, tmp_path, exported)
    assert json.loads(again.stdout)["changed"] == []


def test_a_malformed_rule_is_a_problem_with_its_place(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = configuration(RULES.replace("min_rest_hours: 11", "min_rest_hours: eleven"))
    result = load(run, tmp_path, bad)
    assert result.exit_code == 2
    assert "hotlines[0].coverage_rules.min_rest_hours: must be a number of hours" in result.output


def test_check_lists_the_violations_as_json_and_exits_0(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    load(run, tmp_path, configuration())
    result = run("rota", "check", "city", "--days", "7", "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    rules = {each["rule"] for each in found}
    # Bob works every night (12 h, nights in a row, 84 h a week); nobody qualified at 18-20
    # on Tue/Thu/Sat after Ann's shift ends at 20:00.
    assert rules == {"qualified", "max-consecutive-nights", "max-weekly-hours"}
    assert set(found[0]) >= {"rule", "start", "end", "detail", "counselor"}
    assert all(each["start"].endswith("Z") for each in found)
    text = run("rota", "check", "city")
    assert text.exit_code == 0
    assert "max-weekly-hours" in text.stdout


def test_import_prints_the_violations_it_creates_and_imports_all_the_same(run, tmp_path) -> None:  # type: ignore[no-untyped-def]
    load(run, tmp_path, configuration(night_counselors="[bob, ann]"))
    before = json.loads(run("rota", "check", "city", "--json").stdout)
    result = load(run, tmp_path, configuration(night_counselors="[bob]"))
    assert result.exit_code == 0
    made = json.loads(result.stdout)["violations"]["city"]
    # Ann no longer there at night: no psychiatrist 20:00-22:00 on Tue/Thu/Sat any more.
    assert "qualified" in {each["rule"] for each in made}
    assert "warning: city:" in result.stderr
    assert "imported all the same" in result.stderr
    after = json.loads(run("rota", "check", "city", "--json").stdout)
    assert len(after) > len(before)
    assert json.loads(run("rota", "on-duty", "city", "--at", "2030-01-15T23:00").stdout)[
        "tiers"
    ] == [[{"counselor": "bob", "name": "Bob", "phone": "+447911123402"}]]


def test_a_dry_run_prints_the_violations_the_import_would_create_and_writes_nothing(
    run: Any, tmp_path: Path
) -> None:
    load(run, tmp_path, configuration(night_counselors="[bob, ann]"))
    before = run("rota", "check", "city", "--json").stdout
    path = tmp_path / "next.yaml"
    path.write_text(configuration(night_counselors="[bob]"), encoding="utf-8")
    result = run("config", "import", "--dry-run", str(path))
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["dry_run"] is True
    assert "qualified" in {each["rule"] for each in answer["violations"]["city"]}
    assert "warning: city:" in result.stderr
    assert "would be imported all the same" in result.stderr
    assert "(dry run: nothing written)" in result.stderr
    assert run("rota", "check", "city", "--json").stdout == before
    unchanged = run("config", "import", "--dry-run", str(tmp_path / "hotline.yaml"))
    assert json.loads(unchanged.stdout)["violations"] == {}


def test_coverage_gaps_job_tells_the_violations_once(
    database: Database,
    settings: Settings,
    cheap_passwords: object,
    run: Any,
    tmp_path: Path,
) -> None:
    load(run, tmp_path, configuration())
    people = RecordsWorld(database, cheap_passwords)
    people.user("olga", "operator", email="olga@example.org")
    env = JobEnv(database, settings, Outbound(None, None, record=True))
    now = datetime.now(UTC)
    first = coverage_gaps(env, now)
    again = coverage_gaps(env, now + timedelta(minutes=10))
    assert first["violations"] > 0
    assert first["queued"] >= first["violations"]
    assert again["queued"] == 0
    texts = told(database, "coverage-rule")
    assert texts
    assert all(
        "max-weekly-hours" in t.occasion or "qualified" in t.occasion or "nights" in t.occasion
        for t in texts
    )


def test_the_texts_name_each_rule_and_say_what_is_wrong_in_the_operators_language(
    database: Database,
    settings: Settings,
    cheap_passwords: object,
    run: Any,
    tmp_path: Path,
) -> None:
    load(run, tmp_path, configuration())
    people = RecordsWorld(database, cheap_passwords)
    people.user("wang", "operator", email="wang@example.org")
    people.user("olga", "operator", email="olga@example.org")  # the line's language: en
    with database.write() as session:
        session.execute(update(User).where(User.username == "wang").values(language="zh-CN"))
    coverage_gaps(JobEnv(database, settings, Outbound(None, None, record=True)), NOW_MONDAY)
    texts = told(database, "coverage-rule")
    zh = [t.body for t in texts if t.address == "wang@example.org"]
    en = [t.body for t in texts if t.address == "olga@example.org"]
    assert zh
    assert len(zh) == len(en)
    codes = ("max-weekly-hours", "max-consecutive-nights", "qualified", "min-rest")
    assert not [body for body in zh if any(code in body for code in codes)]
    assert any("每周工时上限" in b and "bob 在 2030-01-14 起的一周值班 84 小时" in b for b in zh)
    assert any("连续夜班上限" in body and "bob 连续夜班超过 3 个" in body for body in zh)
    assert any("指定资质人员在岗" in b and "没有具备 psychiatrist 资质的人员值班" in b for b in zh)
    assert any('"hours a week": bob: 84 h in the week from 2030-01-14' in body for body in en)


def test_token_add_prints_the_token_once_keeps_a_digest_and_revoke_refuses_it(
    run: Any,
    database: Database,
    settings: Settings,
) -> None:
    made = run("token", "add", "wall-screen", "--scope", "phones")
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()
    assert token.startswith("hlt_")
    assert len(token) > 40
    assert made.stdout == token + "\n"
    with database.read() as session:
        row = session.scalar(select(ApiToken))
        assert row is not None
        assert token not in row.digest
        assert row.scopes == ["phones"]
        assert find_holder(session, TokenDigests.of(settings), token) is not None
    assert run("token", "add", "wall-screen").exit_code == 2
    assert run("token", "add", "Bad Name").exit_code == 2
    assert run("token", "revoke", "wall-screen").exit_code == 0
    assert run("token", "revoke", "wall-screen").exit_code == 2
    with database.read() as session:
        holder = find_holder(session, TokenDigests.of(settings), token)
        actions = session.scalars(select(AuditEntry.action)).all()
    assert holder is not None
    assert holder.revoked
    assert {"api-token-add", "api-token-revoke"} <= set(actions)
