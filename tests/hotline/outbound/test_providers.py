"""Which providers a process sends through, chosen from the settings."""

from __future__ import annotations

import pytest

from hotline.outbound.mail import SmtpMail
from hotline.outbound.port import Outbound, Sms
from hotline.outbound.providers import build_outbound, sms_status_url
from hotline.outbound.twilio_sms import TwilioSms
from settings import Settings
from tests.conftest import TEST_ENV
from tests.hotline.outbound.plugin_provider import Recorded

PLUGIN = "tests.hotline.outbound.plugin_provider"


def _settings(**env: str) -> Settings:
    return Settings.from_env({**TEST_ENV, **env})


def test_record_mode_sends_nothing_anywhere() -> None:
    outbound = build_outbound(_settings(HOTLINE_OUTBOUND="record"))

    assert outbound == Outbound(None, None, record=True)


def test_send_mode_sends_sms_through_twilio_and_has_no_mail_without_a_server() -> None:
    outbound = build_outbound(_settings())

    assert isinstance(outbound.sms, TwilioSms)
    assert outbound.email is None
    assert outbound.record is False
    outbound.sms.close()


def test_an_smtp_url_gives_an_email_provider() -> None:
    settings = _settings(
        HOTLINE_SMTP_URL="smtps://hotline:secret@mail.example.org:465",
        HOTLINE_MAIL_FROM="hotline@example.org",
        HOTLINE_SMS_PROVIDER="none",
    )

    outbound = build_outbound(settings)

    assert isinstance(outbound.email, SmtpMail)
    assert outbound.sms is None


def test_a_plugged_in_factory_gets_the_settings_and_sends_the_sms() -> None:
    settings = _settings(HOTLINE_SMS_PROVIDER=f"{PLUGIN}:make")

    outbound = build_outbound(settings)

    assert isinstance(outbound.sms, Recorded)
    assert outbound.sms.settings is settings
    accepted = outbound.sms.send_sms(Sms("+8613900000001", "你好", None))
    assert accepted.reference == "local-1"


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("tests.hotline.outbound.no_such_module:make", "cannot import"),
        (f"{PLUGIN}:no_such_factory", "has no function 'no_such_factory'"),
        (f"{PLUGIN}:not_callable", "has no function 'not_callable'"),
        (f"{PLUGIN}:not_a_provider", "not_a_provider() returned str"),
    ],
)
def test_a_bad_plugin_path_is_a_clear_error_naming_the_setting(path: str, problem: str) -> None:
    settings = _settings(HOTLINE_SMS_PROVIDER=path)

    with pytest.raises(ValueError, match="HOTLINE_SMS_PROVIDER") as raised:
        build_outbound(settings)

    assert problem in str(raised.value)


def test_delivery_reports_come_back_to_the_public_url() -> None:
    settings = _settings(HOTLINE_PUBLIC_URL="https://hotline.example.org/")

    assert sms_status_url(settings) == "https://hotline.example.org/webhooks/sms/status"
