"""The sign-in steps between views: password, then (when needed) enrolling in or entering a
TOTP code. Between the steps the session holds only who is half-way and since when.
"""

from __future__ import annotations

from flask import session, url_for
from sqlalchemy.orm import Session

from hotline import clock
from hotline.accounts import totp
from hotline.accounts.login import Attempt, Verdict, check_code, check_password, signed_in
from hotline.accounts.users import needs_second_factor, viewer_of
from hotline.models import User
from hotline.web.context import SignedIn, accounts, client_address, database, settings
from hotline.web.sessions import start_session

PENDING_SECONDS = 300


def attempt(username: str) -> Attempt:
    return Attempt(username.strip(), client_address())


def password_step(username: str, password: str) -> tuple[Verdict, str | None]:
    """The verdict, and where to go next when the password was right."""
    now = clock.now()
    with database().write() as db:
        result = check_password(
            db, accounts().passwords, accounts().throttle, attempt(username), password, now
        )
        user = result.user
        if user is None:
            return result.verdict, None
        if needs_second_factor(user, settings().demo):
            session.clear()
            session["pending"] = {
                "uid": user.id,
                "gen": user.session_generation,
                "at": now.timestamp(),
            }
            return result.verdict, url_for(
                "auth.totp_setup" if user.totp_secret is None else "auth.totp"
            )
        _finish(db, user)
    return result.verdict, url_for("pages.home")


def pending_user_id() -> int | None:
    pending = session.get("pending")
    if not isinstance(pending, dict):
        return None
    if clock.now().timestamp() - float(pending.get("at", 0)) > PENDING_SECONDS:
        session.pop("pending", None)
        return None
    return int(pending["uid"])


def code_step(code: str, *, enrolling: bool) -> Verdict:
    """Check the code (of the secret being enrolled, or the user's own); sign in on success."""
    uid = pending_user_id()
    if uid is None:
        return Verdict.WRONG
    with database().write() as db:
        user = db.get(User, uid)
        if user is None or user.session_generation != session["pending"]["gen"]:
            return Verdict.WRONG
        if enrolling:
            if user.totp_secret is not None:
                return Verdict.WRONG
            user.totp_secret = enrolment_secret()
        verdict = check_code(
            db, accounts().throttle, user, code, attempt(user.username), clock.now()
        )
        if verdict is not Verdict.OK:
            if enrolling:
                user.totp_secret = None
            return verdict
        _finish(db, user)
    return verdict


def enrolment_secret() -> str:
    """The secret shown to a user enrolling now (kept in their session until confirmed)."""
    secret = session.get("totp_secret")
    if not isinstance(secret, str):
        secret = session["totp_secret"] = totp.new_secret()
    return secret


def enrolment_uri(username: str) -> str:
    return totp.provisioning_uri(enrolment_secret(), username, accounts().policy.totp_issuer)


def pending_username() -> str | None:
    uid = pending_user_id()
    if uid is None:
        return None
    with database().read() as db:
        user = db.get(User, uid)
        return user.username if user else None


def _finish(db: Session, user: User) -> None:
    signed_in(db, user, attempt(user.username), clock.now())
    start_session(user, SignedIn(str(user.id), user.username, user.language, viewer_of(db, user)))
