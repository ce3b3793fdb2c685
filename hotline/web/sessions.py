"""Sessions: Flask-Login over a signed cookie, checked against the database on every request.

Logout, deactivation and a role change bump the user's `session_generation`, which ends
every session of theirs on its next request; sessions also end after 30 minutes idle and
12 hours in all.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask, Request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_login import LoginManager, login_user, logout_user
from werkzeug.wrappers import Response

from hotline import clock
from hotline.accounts.users import viewer_of
from hotline.models import User
from hotline.runtime import runtime
from hotline.web.context import SignedIn, database
from settings import Settings

IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)


MACHINE_PATHS = "HOTLINE_MACHINE_PATHS"
"""Config key: path prefixes that machines call (Twilio's webhooks), never a person's browser."""


def is_machine_path(app: Flask, request: Request) -> bool:
    return request.path.startswith(app.config[MACHINE_PATHS])


class PeopleSessions(SecureCookieSessionInterface):
    """Signed-cookie sessions for people. A machine path gets the null session: it carries no
    cookie, and unsigning and re-signing one on every webhook would cost for nothing."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if is_machine_path(app, request):
            return None  # Flask then hands out a null session, which refuses any write
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.config.setdefault(MACHINE_PATHS, ())
    app.session_interface = PeopleSessions()
    secure = secure_cookies(runtime(app).settings)
    app.config.update(
        SESSION_COOKIE_NAME="__Host-hotline" if secure else "hotline",
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_PATH="/",
        PERMANENT_SESSION_LIFETIME=ABSOLUTE,
        REMEMBER_COOKIE_DURATION=timedelta(0),
    )
    manager = LoginManager(app)
    manager.session_protection = None  # the generation check below is stricter
    manager.user_loader(load_user)
    manager.unauthorized_handler(unauthorized)


def load_user(user_id: str) -> SignedIn | None:
    now = clock.now().timestamp()
    started, seen = session.get("started", 0.0), session.get("seen", 0.0)
    if now - started > ABSOLUTE.total_seconds() or now - seen > IDLE.total_seconds():
        session.clear()
        return None
    with database().read() as db:
        user = db.get(User, int(user_id)) if user_id.isdigit() else None
        if user is None or not user.active or session.get("gen") != user.session_generation:
            session.clear()
            return None
        signed_in = SignedIn(str(user.id), user.username, user.language, viewer_of(db, user))
    session["seen"] = now
    return signed_in


def start_session(user: User, signed_in: SignedIn) -> None:
    """A fresh session for a user who passed every check (nothing of the old one is kept)."""
    session.clear()
    login_user(signed_in)
    now = clock.now().timestamp()
    session.update(gen=user.session_generation, started=now, seen=now)
    session.permanent = True


def end_session() -> None:
    logout_user()
    session.clear()


def unauthorized() -> Response:
    """Sign in, then back to the page asked for; a form sent meanwhile is kept (see there)."""
    from hotline.web.resume import unauthorized as answer  # late: resume signs in through here

    return answer()


def secure_cookies(current: Settings) -> bool:
    """Secure (`__Host-`) cookies behind HTTPS and outside demo mode (demo runs on http)."""
    return current.public_url.startswith("https://") or not current.demo
