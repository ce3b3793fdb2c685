"""Finding the line a call is for, and what a line's callers hear when nothing else is known."""

from __future__ import annotations

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Hotline


def line_for_number(session: Session, to: str) -> Hotline | None:
    """The line whose number is `to` (Twilio sends E.164; other spellings are normalized)."""
    line = session.scalar(select(Hotline).where(Hotline.number == to))
    if line is not None or not to:
        return line
    try:
        parsed = phonenumbers.parse(to, None)
    except phonenumbers.NumberParseException:
        return None
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return session.scalar(select(Hotline).where(Hotline.number == e164))


def region_of_line(line: Hotline | None) -> str | None:
    """The line's country: the default region when a caller's number is national."""
    if line is None:
        return None
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(line.number, None))
    except phonenumbers.NumberParseException:
        return None
    return str(region) if region else None


def default_language(session: Session) -> str:
    """For a call to an unknown number: the language of the first line, else English."""
    language = session.scalar(select(Hotline.language).order_by(Hotline.position).limit(1))
    return language or "en"
