"""Settings from the environment: one error naming every problem; demo secrets made once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import settings as settings_module
from settings import Settings, SettingsError
from tests.conftest import TEST_ENV


def test_every_problem_is_named_in_one_error() -> None:
    env = {
        "HOTLINE_PUBLIC_URL": "ftp://x",
        "HOTLINE_PSEUDONYM_KEY": "secret",
        "HOTLINE_FALLBACK_NUMBER": "0574-1234",
        "HOTLINE_RETENTION_DAYS": "-3",
    }
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(env)
    names = [problem.split(":")[0] for problem in raised.value.problems]
    assert names == [
        "HOTLINE_RETENTION_DAYS",
        "HOTLINE_PUBLIC_URL",
        "TWILIO_ACCOUNT_SID",
        "TWILIO_AUTH_TOKEN",
        "HOTLINE_PSEUDONYM_KEY",
        "HOTLINE_DATA_KEY",
        "HOTLINE_SECRET_KEY",
        "HOTLINE_FALLBACK_NUMBER",
        "HOTLINE_SMS_FROM",
    ]


def test_a_pseudonym_key_needs_a_version_and_32_random_bytes() -> None:
    short = {**TEST_ENV, "HOTLINE_PSEUDONYM_KEY": "v3:" + "ab" * 16}
    with pytest.raises(SettingsError, match="at least 32 random bytes"):
        Settings.from_env(short)
    same_version = {**TEST_ENV, "HOTLINE_PSEUDONYM_KEY_PREVIOUS": "v2:" + "ef" * 32}
    with pytest.raises(SettingsError, match="another version"):
        Settings.from_env(same_version)


def test_secrets_never_show_in_the_repr() -> None:
    settings = Settings.from_env(
        {**TEST_ENV, "HOTLINE_DATABASE_URL": "postgresql://app:hunter2@db/hotline"}
    )
    shown = repr(settings) + repr(settings.pseudonym_key) + repr(settings.data_key)
    for secret in (
        "hunter2",
        TEST_ENV["TWILIO_AUTH_TOKEN"],
        "abab",
        "5e5e",
        TEST_ENV["HOTLINE_SECRET_KEY"],
    ):
        assert secret not in shown


def test_tokens_accept_the_previous_one_during_a_rotation() -> None:
    old = "0123456789abcdef" * 2
    settings = Settings.from_env({**TEST_ENV, "TWILIO_AUTH_TOKEN_PREVIOUS": old})
    assert settings.auth_tokens == (TEST_ENV["TWILIO_AUTH_TOKEN"], old)


def test_demo_mode_makes_its_secrets_once_and_keeps_them(tmp_path: Path) -> None:
    secrets_file = tmp_path / "demo-secrets.json"
    first = Settings.from_env({"HOTLINE_DEMO": "1"}, secrets_file=secrets_file)
    second = Settings.from_env({"HOTLINE_DEMO": "1"}, secrets_file=secrets_file)
    assert first.demo
    assert first.twilio_auth_token == second.twilio_auth_token
    assert first.pseudonym_key == second.pseudonym_key
    assert secrets_file.stat().st_mode & 0o077 == 0
    assert set(json.loads(secrets_file.read_text())) >= {"TWILIO_AUTH_TOKEN", "HOTLINE_SECRET_KEY"}


def test_demo_mode_still_takes_a_secret_given_in_the_environment(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"HOTLINE_DEMO": "1", "TWILIO_AUTH_TOKEN": "given"}, secrets_file=tmp_path / "s.json"
    )
    assert settings.twilio_auth_token == "given"


def test_the_retention_of_notes_and_audit_follows_the_records_unless_set() -> None:
    settings = Settings.from_env({**TEST_ENV, "HOTLINE_RETENTION_DAYS": "1200"})
    assert (settings.notes_retention_days, settings.audit_retention_days) == (1200, 1200)
    shorter = Settings.from_env({**TEST_ENV, "HOTLINE_NOTES_RETENTION_DAYS": "365"})
    assert (shorter.retention_days, shorter.notes_retention_days) == (1095, 365)
    with pytest.raises(SettingsError, match="HOTLINE_OUTBOX_RETENTION_DAYS"):
        Settings.from_env({**TEST_ENV, "HOTLINE_OUTBOX_RETENTION_DAYS": "0"})


def test_proxy_hops_are_a_small_count() -> None:
    assert Settings.from_env({**TEST_ENV, "HOTLINE_PROXY_HOPS": "1"}).proxy_hops == 1
    with pytest.raises(SettingsError, match="HOTLINE_PROXY_HOPS"):
        Settings.from_env({**TEST_ENV, "HOTLINE_PROXY_HOPS": "many"})


def test_outbound_settings_say_which_one_is_wrong() -> None:
    env = {
        **TEST_ENV,
        "HOTLINE_OUTBOUND": "email-everyone",
        "HOTLINE_SMS_PROVIDER": "not a module",
        "HOTLINE_SMTP_URL": "http://mail.example.org",
        "HOTLINE_MESSAGE_BUDGET_PER_DAY": "0",
    }
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(env)
    names = {problem.split(":")[0] for problem in raised.value.problems}
    assert names == {
        "HOTLINE_OUTBOUND",
        "HOTLINE_SMS_PROVIDER",
        "HOTLINE_SMTP_URL",
        "HOTLINE_MESSAGE_BUDGET_PER_DAY",
    }


def test_sending_through_twilio_needs_a_sender_and_e_mail_needs_a_from_address() -> None:
    env = {**TEST_ENV, "HOTLINE_SMS_FROM": "", "HOTLINE_SMTP_URL": "smtps://u:p@mail:465"}
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(env)
    assert [p.split(":")[0] for p in raised.value.problems] == [
        "HOTLINE_SMS_FROM",
        "HOTLINE_MAIL_FROM",
    ]
    quiet = Settings.from_env({**env, "HOTLINE_SMS_PROVIDER": "none", "HOTLINE_MAIL_FROM": "a@b"})
    assert (quiet.outbound, quiet.sms_provider, quiet.sms_from) == ("send", "none", None)
    service = Settings.from_env({**TEST_ENV, "HOTLINE_SMS_FROM": "MG" + "0" * 32})
    assert service.sms_from == "MG" + "0" * 32


def test_demo_mode_records_messages_instead_of_sending_them(tmp_path: Path) -> None:
    demo = Settings.from_env({"HOTLINE_DEMO": "1"}, secrets_file=tmp_path / "secrets.json")
    assert demo.outbound == "record"


def test_the_spool_folder_is_a_setting() -> None:
    assert Settings.from_env(TEST_ENV).spool_dir == "instance/spool"
    moved = Settings.from_env({**TEST_ENV, "HOTLINE_SPOOL_DIR": "/var/spool/hotline"})
    assert moved.spool_dir == "/var/spool/hotline"


def test_a_data_key_is_required_outside_demo_mode_with_a_version_and_32_bytes() -> None:
    settings = Settings.from_env(TEST_ENV)
    assert (settings.data_key.version, len(settings.data_key.secret)) == (3, 32)
    assert settings.data_key_previous is None
    missing = {name: value for name, value in TEST_ENV.items() if name != "HOTLINE_DATA_KEY"}
    with pytest.raises(SettingsError, match="HOTLINE_DATA_KEY: required outside demo mode"):
        Settings.from_env(missing)
    for wrong in ("5e" * 32, "v3:" + "5e" * 16, "v3:" + "5e" * 33, "v3:" + "zz" * 32):
        with pytest.raises(SettingsError, match="HOTLINE_DATA_KEY: must be 'vN:'"):
            Settings.from_env({**TEST_ENV, "HOTLINE_DATA_KEY": wrong})


def test_the_previous_data_key_needs_another_version() -> None:
    rotating = Settings.from_env({**TEST_ENV, "HOTLINE_DATA_KEY_PREVIOUS": "v2:" + "71" * 32})
    assert rotating.data_key_previous is not None
    assert rotating.data_key_previous.version == 2
    same = {**TEST_ENV, "HOTLINE_DATA_KEY_PREVIOUS": "v3:" + "71" * 32}
    with pytest.raises(SettingsError, match="HOTLINE_DATA_KEY_PREVIOUS: must have another"):
        Settings.from_env(same)


def test_a_short_secret_key_or_a_malformed_twilio_token_is_refused_by_name() -> None:
    env = {
        **TEST_ENV,
        "HOTLINE_SECRET_KEY": "x",
        "TWILIO_AUTH_TOKEN": "y",
        "TWILIO_AUTH_TOKEN_PREVIOUS": "not-hex-but-32-characters-long!!",
    }
    with pytest.raises(SettingsError) as raised:
        Settings.from_env(env)
    assert [problem.split(":")[0] for problem in raised.value.problems] == [
        "TWILIO_AUTH_TOKEN",
        "TWILIO_AUTH_TOKEN_PREVIOUS",
        "HOTLINE_SECRET_KEY",
    ]
    assert "at least 32" in raised.value.problems[2]
    assert "32 hex digits" in raised.value.problems[0]
    assert "not-hex" not in str(raised.value)  # a wrong secret is still a secret


def test_demo_mode_makes_a_data_key_and_adds_one_to_an_older_secrets_file(
    tmp_path: Path,
) -> None:
    fresh = Settings.from_env({"HOTLINE_DEMO": "1"}, secrets_file=tmp_path / "new.json")
    assert len(fresh.data_key.secret) == 32
    older = tmp_path / "older.json"
    kept = {"TWILIO_AUTH_TOKEN": "f" * 32, "HOTLINE_SECRET_KEY": "s" * 64}
    older.write_text(json.dumps(kept))
    first = Settings.from_env({"HOTLINE_DEMO": "1"}, secrets_file=older)
    again = Settings.from_env({"HOTLINE_DEMO": "1"}, secrets_file=older)
    assert (first.twilio_auth_token, first.secret_key) == ("f" * 32, "s" * 64)
    assert first.data_key == again.data_key
    assert "HOTLINE_DATA_KEY" in json.loads(older.read_text())
    assert older.stat().st_mode & 0o077 == 0


def test_demo_secrets_live_beside_the_sqlite_database_they_belong_to(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo' / 'hotline.db'}"
    demo = Settings.from_env({"HOTLINE_DEMO": "1", "HOTLINE_DATABASE_URL": url})
    kept = json.loads((tmp_path / "demo" / "demo-secrets.json").read_text())
    assert kept["TWILIO_AUTH_TOKEN"] == demo.twilio_auth_token
    assert demo.database_url == url


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory that is not the project, the working directory of the command; the
    project's instance folder is moved under tmp_path too (the real one is left alone)."""
    monkeypatch.setattr(settings_module, "INSTANCE_DIR", tmp_path / "project" / "instance")
    where = tmp_path / "elsewhere"
    where.mkdir()
    monkeypatch.chdir(where)
    return where


def test_a_demo_run_from_another_directory_uses_the_project_instance_and_leaves_nothing(
    tmp_path: Path, elsewhere: Path
) -> None:
    instance = tmp_path / "project" / "instance"
    demo = Settings.from_env({"HOTLINE_DEMO": "1", "HOTLINE_DATABASE_URL": ""})
    assert demo.database_url == f"sqlite:///{instance / 'hotline.db'}"
    assert demo.spool_dir == str(instance / "spool")
    assert (instance / "demo-secrets.json").exists()
    assert list(elsewhere.iterdir()) == []
    again = Settings.from_env({"HOTLINE_DEMO": "1"})
    assert again.secret_key == demo.secret_key


def test_a_demo_on_another_database_keeps_its_secrets_in_the_project_instance(
    tmp_path: Path, elsewhere: Path
) -> None:
    url = "postgresql+psycopg://app@db.example.org/hotline"
    demo = Settings.from_env({"HOTLINE_DEMO": "1", "HOTLINE_DATABASE_URL": url})
    assert demo.database_url == url
    assert (tmp_path / "project" / "instance" / "demo-secrets.json").exists()
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize(
    ("url", "folder"),
    [
        ("sqlite:////srv/demo/hotline.db", Path("/srv/demo")),
        ("sqlite:///var/demo.db", Path("var")),  # relative: to the working directory, as SQLite
        ("sqlite+pysqlite:///demo.db?timeout=5", Path()),
        ("sqlite://", settings_module.INSTANCE_DIR),
        ("sqlite:///:memory:", settings_module.INSTANCE_DIR),
    ],
)
def test_the_secrets_file_follows_the_file_of_a_sqlite_url(url: str, folder: Path) -> None:
    assert settings_module.demo_secrets_file(url) == folder / "demo-secrets.json"


def test_outside_demo_mode_the_contract_defaults_stand() -> None:
    unset = {name: value for name, value in TEST_ENV.items() if name != "HOTLINE_DATABASE_URL"}
    plain = Settings.from_env(unset)
    assert (plain.database_url, plain.spool_dir) == (
        "sqlite:///instance/hotline.db",
        "instance/spool",
    )
