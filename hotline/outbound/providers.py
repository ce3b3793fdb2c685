"""Choosing the providers this process sends through, from the settings (a composition root)."""

from __future__ import annotations

import importlib

from hotline.outbound.mail import SmtpMail
from hotline.outbound.port import Outbound, SmsProvider
from hotline.outbound.twilio_sms import TwilioSms
from settings import Settings

STATUS_PATH = "/webhooks/sms/status"


def sms_status_url(settings: Settings) -> str:
    """Where Twilio reports the delivery of the SMS we send."""
    return settings.public_url.rstrip("/") + STATUS_PATH


def build_outbound(settings: Settings) -> Outbound:
    """`record`: nothing leaves the machine. `send`: the configured SMS and e-mail providers,
    None for a channel that has none."""
    if settings.outbound == "record":
        return Outbound(None, None, record=True)
    email = (
        SmtpMail(settings.smtp_url, settings.mail_from)
        if settings.smtp_url and settings.mail_from
        else None
    )
    return Outbound(sms=_sms_provider(settings), email=email)


def _sms_provider(settings: Settings) -> SmsProvider | None:
    choice = settings.sms_provider
    if choice == "none":
        return None
    if choice == "twilio":
        if not settings.sms_from:
            raise ValueError("HOTLINE_SMS_FROM: required when SMS go out through Twilio")
        return TwilioSms(settings.twilio_account_sid, settings.twilio_auth_token, settings.sms_from)
    return _plugged_in(choice, settings)


def _plugged_in(path: str, settings: Settings) -> SmsProvider:
    """`package.module:factory`: the factory gets the settings, returns a `send_sms` object."""
    module_name, _, factory_name = path.partition(":")
    where = f"HOTLINE_SMS_PROVIDER={path!r}"
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise ValueError(f"{where}: cannot import {module_name!r} ({error})") from error
    factory = getattr(module, factory_name, None)
    if not callable(factory):
        raise ValueError(f"{where}: {module_name!r} has no function {factory_name!r}")
    provider = factory(settings)
    if not callable(getattr(provider, "send_sms", None)):
        raise ValueError(
            f"{where}: {factory_name}() returned {type(provider).__name__}, "
            "which has no send_sms(message) method"
        )
    sms: SmsProvider = provider
    return sms
