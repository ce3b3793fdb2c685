"""Home (each role's starting page) and the account page (language)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from hotline.accounts.users import set_language
from hotline.web.context import database, me
from hotline.web.forms import ButtonForm, LanguageForm

pages = Blueprint("pages", __name__)
_START = {
    "counselor": "outcomes.waiting",
    "supervisor": "calls.log",
    "admin": "calls.log",
    "operator": "alerts.list",
}


@pages.get("/")
def home() -> str | Response:
    start = _START.get(me().role)
    if start is not None:
        return redirect(url_for(start))
    return render_template("home.html")


@pages.get("/account")
def account() -> str:
    form = LanguageForm(language=me().language or "zh_CN")
    return render_template("account.html", form=form, logout=ButtonForm())


@pages.post("/account/language")
def language() -> Response:
    form = LanguageForm()
    if form.validate_on_submit():
        with database().write() as db:
            set_language(db, int(me().id), form.language.data)
    return redirect(url_for("pages.account"))
