"""The sign-in steps between views: password, then (when needed) enrolling in a second factor or
entering a TOTP or recovery code. Between the steps the session holds only who is half-way and
since when; the secret being enrolled stays in the database.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import segno
from flask import session, url_for
from markupsafe import Markup
from sqlalchemy.orm import Session

from hotline import clock
from hotline.accounts import enrolment, recovery, totp
from hotline.accounts.login import (
    Attempt,
    Verdict,
    check_code,
    check_password,
    check_recovery_code,
    signed_in,
)
from hotline.accounts.users import needs_second_factor, viewer_of
from hotline.models import User
from hotline.secrets_at_rest import Unreadable
from hotline.web.context import SignedIn, accounts, client_address, database, settings
from hotline.web.sessions import start_session

PENDING_SECONDS = 300
logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Enrolment:
    """What the enrolment page shows: the key as text, as a link, and as a QR code."""

    username: str
    secret: str
    uri: str
    qr: Markup


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


def pending_username() -> str | None:
    with database().read() as db:
        user = _pending(db)
        return user.username if user else None


def code_step(code: str) -> Verdict:
    """A TOTP code of the user's own secret, or one of their recovery codes; signs in on success
    (and seals a secret still plain, or sealed with the previous key, with the current one)."""
    with database().write() as db:
        user = _pending(db)
        if user is None or user.totp_secret is None:
            return Verdict.WRONG
        verdict = _check(db, user, code)
        if verdict is Verdict.OK:
            enrolment.reseal_secret(accounts().keys, user)
            _finish(db, user)
    return verdict


def _check(db: Session, user: User, code: str) -> Verdict:
    now, tried, throttle = clock.now(), attempt(user.username), accounts().throttle
    if recovery.looks_like_one(code):
        passwords = accounts().passwords
        return check_recovery_code(db, throttle, passwords, user, code, tried, now)
    try:
        secret = enrolment.stored_secret(accounts().keys, user)
    except Unreadable:
        logger.error("the TOTP secret of %s opens with no data key at hand", user.username)
        secret = None  # refused like a wrong code; `hotline user reset-totp` mends it
    return check_code(db, throttle, user, code, tried, now, secret=secret)


def enrolment_page() -> Enrolment | None:
    """The second factor offered to the user half-way signed in (None: nobody is, or they have
    one already). The same secret is offered until it expires."""
    with database().write() as db:
        user = _pending(db)
        if user is None or user.totp_secret is not None:
            return None
        secret = enrolment.pending_secret(db, accounts().keys, user, clock.now())
        uri = totp.provisioning_uri(secret, user.username, accounts().policy.totp_issuer)
        return Enrolment(user.username, secret, uri, qr_svg(uri))


def enrol_step(code: str) -> tuple[Verdict, list[str]]:
    """A code of the secret being enrolled: it becomes the user's, they are signed in, and ten
    recovery codes are made, returned here to be shown once."""
    with database().write() as db:
        user, now = _pending(db), clock.now()
        secret = None
        if user is not None and user.totp_secret is None:
            secret = enrolment.enrolling_secret(db, accounts().keys, user, now)
        if user is None or secret is None:
            return Verdict.WRONG, []
        tried = attempt(user.username)
        verdict = check_code(db, accounts().throttle, user, code, tried, now, secret=secret)
        if verdict is not Verdict.OK:
            return verdict, []
        enrolment.confirm(db, accounts().keys, user, secret, now, source=tried.address)
        codes = recovery.new_codes(db, accounts().passwords.hasher, user)
        _finish(db, user)
    return verdict, codes


def qr_svg(uri: str) -> Markup:
    """The link as a QR code, an inline SVG (no script, no style attribute: the CSP holds)."""
    out = io.BytesIO()
    code = segno.make_qr(uri, error="m")
    code.save(out, kind="svg", xmldecl=False, scale=4, light="#fff", svgclass="qr", nl=False)
    return Markup(out.getvalue().decode())  # segno's markup: the matrix, no text of the link


def _pending(db: Session) -> User | None:
    uid = pending_user_id()
    user = db.get(User, uid) if uid is not None else None
    if user is None or user.session_generation != session["pending"]["gen"]:
        return None
    return user


def _finish(db: Session, user: User) -> None:
    signed_in(db, user, attempt(user.username), clock.now())
    start_session(user, SignedIn(str(user.id), user.username, user.language, viewer_of(db, user)))
