"""Home (each role's starting page) and the account page (language, quiet hours)."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from hotline import clock
from hotline.accounts.users import quiet_hours_of, set_language, set_quiet_hours
from hotline.web.context import client_address, database, me
from hotline.web.feeds import my_feed
from hotline.web.forms import ButtonForm, LanguageForm, QuietHoursForm

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


@pages.route("/account", methods=["GET", "POST"])
def account() -> str | Response | tuple[str, int]:
    """The POST saves the quiet hours (the language has its own form and route)."""
    quiet = QuietHoursForm()
    if quiet.validate_on_submit():
        _save_quiet_hours(quiet)
        return redirect(url_for("pages.account"))
    if request.method == "GET":
        with database().read() as db:
            quiet.show(*quiet_hours_of(db, int(me().id)))
    language = LanguageForm(formdata=None, language=me().language or "zh_CN")
    page = render_template(
        "account.html", form=language, quiet=quiet, logout=ButtonForm(), mine=my_feed()
    )
    return page if request.method == "GET" else (page, 400)


def _save_quiet_hours(quiet: QuietHoursForm) -> None:
    who, zone = me(), quiet.timezone.data or None
    with database().write() as db:
        set_quiet_hours(
            db,
            int(who.id),
            quiet.window(),
            zone,
            clock.now(),
            actor=who.username,
            source=client_address(),
        )


@pages.post("/account/language")
def language() -> Response:
    form = LanguageForm()
    if form.validate_on_submit():
        with database().write() as db:
            set_language(db, int(me().id), form.language.data)
    return redirect(url_for("pages.account"))
