"""Settings from the environment: one error naming every problem; demo secrets made once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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
    shown = repr(settings) + repr(settings.pseudonym_key)
    for secret in (
        "hunter2",
        TEST_ENV["TWILIO_AUTH_TOKEN"],
        "abab",
        TEST_ENV["HOTLINE_SECRET_KEY"],
    ):
        assert secret not in shown


def test_tokens_accept_the_previous_one_during_a_rotation() -> None:
    settings = Settings.from_env({**TEST_ENV, "TWILIO_AUTH_TOKEN_PREVIOUS": "old-token"})
    assert settings.auth_tokens == (TEST_ENV["TWILIO_AUTH_TOKEN"], "old-token")


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
