"""Sign-in pages: password, TOTP enrolment or code, and logout."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from hotline import clock
from hotline.accounts.login import Verdict
from hotline.accounts.users import sign_out
from hotline.web import signin
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
    return redirect(next_url)


@auth.route("/login/totp", methods=["GET", "POST"])
def totp() -> Page:
    return _code_page("totp.html", enrolling=False)


@auth.route("/login/totp/setup", methods=["GET", "POST"])
def totp_setup() -> Page:
    return _code_page("totp_setup.html", enrolling=True)


def _code_page(template: str, *, enrolling: bool) -> Page:
    username = signin.pending_username()
    if username is None:
        return redirect(url_for("auth.login"))
    form = CodeForm()
    extra = {"secret": signin.enrolment_secret(), "uri": signin.enrolment_uri(username)}
    context = {"form": form, "username": username, **(extra if enrolling else {})}
    if not form.validate_on_submit():
        return render_template(template, **context)
    verdict = signin.code_step(form.code.data, enrolling=enrolling)
    if verdict is Verdict.OK:
        return redirect(url_for("pages.home"))
    return render_template(template, failed=verdict.value, **context), _FAILED[verdict]


@auth.post("/logout")
def logout() -> Response:
    with database().write() as db:
        sign_out(db, int(me().id), clock.now())
    end_session()
    return redirect(url_for("auth.login"))
