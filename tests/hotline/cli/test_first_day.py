"""A newcomer's first commands: the demo on another port, an unmigrated database."""

from __future__ import annotations

import dataclasses
import os
import re
import sqlite3
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import settings as settings_module
from hotline.cli import cli, context, service
from hotline.cli.context import Services
from settings import Settings
from tests.conftest import ENGINES, FreshDatabases

ROOT = Path(__file__).resolve().parents[3]


def test_the_demo_on_another_port_serves_and_signs_at_that_port(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seen: dict[str, Any] = {}

    def serve(host: str, port: int, **options: Any) -> None:
        seen["port"] = port
        seen["public_url"] = context.settings().public_url
        seen["environment"] = os.environ["HOTLINE_PUBLIC_URL"]

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOTLINE_PUBLIC_URL", "unset below, restored after the test")
    monkeypatch.delenv("HOTLINE_PUBLIC_URL")
    monkeypatch.setenv("HOTLINE_DEMO", "1")
    monkeypatch.setenv("HOTLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'demo.db'}")
    monkeypatch.setattr(service, "serve", serve)
    monkeypatch.setattr(service, "scheduler_beside", nullcontext)
    monkeypatch.setattr(service, "create_demo_users", lambda *_: [("ada", "demo-ada", "admin")])
    result = CliRunner().invoke(cli, ["demo", "--port", "8101"], obj=Services())
    assert result.exit_code == 0, result.output
    assert seen == {
        "port": 8101,
        "public_url": "http://127.0.0.1:8101",
        "environment": "http://127.0.0.1:8101",
    }
    assert "simulate-call city --url http://127.0.0.1:8101" in result.output


def test_a_demo_command_run_from_another_directory_leaves_nothing_there(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    instance = tmp_path / "project" / "instance"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setattr(settings_module, "INSTANCE_DIR", instance)
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("HOTLINE_DEMO", "1")
    for name in ("HOTLINE_DATABASE_URL", "HOTLINE_SPOOL_DIR"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(cli, ["rota", "gaps", "city"], obj=Services())
    assert result.exit_code == 2, result.output
    assert f"no database at {instance / 'hotline.db'}" in result.output  # the demo's own
    assert list(elsewhere.iterdir()) == []
    assert (instance / "demo-secrets.json").exists()


def test_a_public_url_that_is_set_wins_over_the_demo_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_PUBLIC_URL", "https://demo.example.org")
    service.follow_port(8101)
    assert os.environ["HOTLINE_PUBLIC_URL"] == "https://demo.example.org"


def test_make_run_passes_its_port_to_the_demo() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^PORT \?= 8000$", makefile, re.MULTILINE)
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "hotline demo --port $(PORT)" in recipe


def _run(settings: Settings, url: str, *args: str) -> Any:
    services = Services(dataclasses.replace(settings, database_url=url))
    result = CliRunner().invoke(cli, list(args), obj=services)
    if services._database is not None:  # made by the command: its connections end with it
        services._database.dispose()
    return result


def test_a_command_on_a_database_file_that_is_not_there_exits_2_and_creates_nothing(
    settings: Settings, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'instance' / 'hotline.db'}"
    result = _run(settings, url, "rota", "gaps", "city")
    assert result.exit_code == 2
    assert "hotline db upgrade" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "instance").exists()


@pytest.mark.parametrize("kind", ENGINES)
def test_commands_on_an_unmigrated_database_exit_2_naming_db_upgrade(
    settings: Settings, tmp_path: Path, fresh_databases: FreshDatabases, kind: str
) -> None:
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'empty.db'}"
        sqlite3.connect(tmp_path / "empty.db").close()
    else:
        url = fresh_databases.url(kind)
    for command in (["rota", "gaps", "city"], ["outbox", "list"], ["jobs", "status"]):
        result = _run(settings, url, *command)
        assert result.exit_code == 2, (command, result.output)
        assert "empty (no schema)" in result.output
        assert "run `hotline db upgrade` first" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    assert _run(settings, url, "db", "upgrade").exit_code == 0
    assert _run(settings, url, "outbox", "list").exit_code == 0
