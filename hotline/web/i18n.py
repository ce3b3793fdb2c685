"""zh-CN and English: the user's saved choice, else the browser's Accept-Language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, request
from flask_babel import Babel, get_locale
from flask_login import current_user

LOCALES = ("zh_CN", "en")
_ACCEPT = {"zh-CN": "zh_CN", "en": "en"}


def select_locale() -> str:
    saved = getattr(current_user, "language", None)
    if saved in LOCALES:
        return str(saved)
    best = request.accept_languages.best_match(list(_ACCEPT), default="en")
    return _ACCEPT.get(best, "en")


def local_time(at: datetime | None, zone: str = "UTC", fmt: str = "%Y-%m-%d %H:%M") -> str:
    """An instant as the wall-clock time of a line (its zone name is shown beside it)."""
    return at.astimezone(ZoneInfo(zone)).strftime(fmt) if at else "—"


def html_lang() -> dict[str, str]:
    locale = get_locale()
    return {"html_lang": "zh-CN" if locale is not None and locale.language == "zh" else "en"}


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", "en")
    Babel(app, locale_selector=select_locale)
    app.jinja_env.filters["local"] = local_time
    app.context_processor(html_lang)
