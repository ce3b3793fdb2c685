"""Sign-in pages: password, TOTP enrolment (then the recovery codes, once) or code, and logout."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from hotline import clock
from hotline.accounts.login import Verdict
from hotline.accounts.users import sign_out
from hotline.web import comeback, signin
from hotline.web.context import database, me
from hotline.web.forms import CodeForm, LoginForm
from hotline.web.sessions import end_session

auth = Blueprint("auth", __name__)
Page = str | tuple[str, int] | Response
_FAILED = {Verdict.WRONG: 401, Verdict.THROTTLED: 429}


@auth.route("/login", methods=["GET", "POST"])
def login() -> Page:
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("login.html", form=form), 400 if form.is_submitted() else 200
    verdict, next_url = signin.password_step(form.username.data, form.password.data)
    if next_url is None:
        return render_template("login.html", form=form, failed=verdict.value), _FAILED[verdict]
    return redirect(comeback.after_password(next_url))


@auth.route("/login/totp", methods=["GET", "POST"])
def totp() -> Page:
    if signin.pending_username() is None:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("totp.html", form=form)
    back = comeback.stashed()  # read before signing in starts the session afresh
    verdict = signin.code_step(form.code.data)
    if verdict is Verdict.OK:
        return redirect(back or url_for("pages.home"))
    return render_template("totp.html", form=form, failed=verdict.value), _FAILED[verdict]


@auth.route("/login/totp/setup", methods=["GET", "POST"])
def totp_setup() -> Page:
    enrolment = signin.enrolment_page()
    if enrolment is None:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    if not form.validate_on_submit():
        return render_template("totp_setup.html", form=form, enrolment=enrolment)
    back = comeback.stashed()  # read before signing in starts the session afresh
    verdict, codes = signin.enrol_step(form.code.data)
    if verdict is Verdict.OK:  # signed in: the recovery codes are shown this once
        onward = back or url_for("pages.home")
        return render_template("recovery_codes.html", codes=codes, onward=onward)
    page = render_template("totp_setup.html", form=form, enrolment=enrolment, failed=verdict.value)
    return page, _FAILED[verdict]


@auth.post("/logout")
def logout() -> Response:
    with database().write() as db:
        sign_out(db, int(me().id), clock.now())
    end_session()
    return redirect(url_for("auth.login"))
