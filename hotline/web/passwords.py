"""Passwords: everyone changes their own (knowing the current one); a new or reset account sets
its first one through the one-time link an administrator was shown."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from hotline import clock
from hotline.accounts.password_links import (
    TooManyFailures,
    change_own_password,
    redeem,
    set_password,
)
from hotline.accounts.passwords import WeakPassword
from hotline.accounts.users import BadAccount, viewer_of
from hotline.models import User
from hotline.web.account_forms import ChangePasswordForm, NewPasswordForm, show_refusal
from hotline.web.context import SignedIn, accounts, client_address, database, me, settings
from hotline.web.sessions import start_session

passwords = Blueprint("passwords", __name__)
Page = str | tuple[str, int] | Response


@passwords.route("/account/password", methods=["GET", "POST"])
def change() -> Page:
    form = ChangePasswordForm()
    refused: int | None = 400
    if form.validate_on_submit() and (refused := _refusal(form)) is None:
        flash(_("Your password is changed. Your other sessions have ended."))
        return redirect(url_for("pages.account"))
    page = render_template("password_change.html", form=form)
    return (page, refused or 400) if form.is_submitted() else page


@passwords.route("/password/set", methods=["GET", "POST"])
def set_by_link() -> Page:
    """The page of a one-time link (the token is in the query: the access log never has it)."""
    form = NewPasswordForm()
    with database().write() as db:
        user = redeem(db, settings().secret_key, request.args.get("token", ""), clock.now())
        if user is None:
            return render_template("password_link_dead.html"), 404
        if form.validate_on_submit() and _set(db, user, form):
            flash(_("Your password is set. Sign in with it."))
            return redirect(url_for("auth.login"))
        page = render_template("password_set.html", form=form, username=user.username)
    return (page, 400) if form.is_submitted() else page


def _refusal(form: ChangePasswordForm) -> int | None:
    """Change the password; None when done, else the status of the page that says why not
    (429 while the sign-in throttle holds wrong current passwords back, as at sign-in)."""
    with database().write() as db:
        user = db.get(User, int(me().id))
        assert user is not None, "the session was checked against the database"
        try:
            change_own_password(
                db,
                accounts().passwords,
                accounts().throttle,
                user,
                form.current.data,
                form.password.data,
                clock.now(),
                source=client_address(),
            )
        except (BadAccount, WeakPassword) as refusal:
            show_refusal(form, refusal)  # a failure counted by the throttle is kept: no raise
            return 429 if isinstance(refusal, TooManyFailures) else 400
        # The change ended every session of the user (a thief's too): this one starts afresh.
        start_session(
            user, SignedIn(str(user.id), user.username, user.language, viewer_of(db, user))
        )
    return None


def _set(db: Session, user: User, form: NewPasswordForm) -> bool:
    try:
        set_password(
            db,
            accounts().passwords,
            user,
            form.password.data,
            clock.now(),
            source=client_address(),
            how="link",
        )
    except WeakPassword as refusal:
        show_refusal(form, refusal)
        return False
    return True
