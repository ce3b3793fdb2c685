"""The live board (`/board`): a wall screen's page, refreshed by `board.js` polling the small
JSON of `/board/state` (no long-lived connection: web workers stay free for Twilio). People
see their lines; a kiosk (a browser signed in with a board code) sees its screen's board only.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from hotline import clock
from hotline.desk.board import BoardLine, board_lines, board_state
from hotline.desk.screens import BadScreen, list_screens, make_screen, revoke_screen, screen_by_code
from hotline.models import Hotline
from hotline.runtime import runtime
from hotline.web.context import client_address, database, me
from hotline.web.forms import ButtonForm, choices
from hotline.web.kiosk import kiosk_screen, start_kiosk

board = Blueprint("board", __name__)
POLL_SECONDS = 5


class KioskForm(FlaskForm):  # type: ignore[misc]
    code = StringField(_l("Board code"), validators=[DataRequired(), Length(max=64)])


class ScreenForm(FlaskForm):  # type: ignore[misc]
    name = StringField(_l("Name of the screen"), validators=[DataRequired(), Length(max=64)])
    line = SelectField(_l("Line"), default="")


@board.get("/board")
def page() -> str:
    with database().read() as db:
        every, shown = _lines(db)
        state = board_state(db, runtime().duty, shown, clock.now())
    chosen = request.args.get("line", "") if len(shown) < len(every) else ""
    return render_template(
        "board.html", state=state, words=_words(), lines=every, chosen=chosen, poll=POLL_SECONDS
    )


@board.get("/board/state")
def state() -> Response:
    with database().read() as db:
        found = board_state(db, runtime().duty, _lines(db)[1], clock.now())
    return jsonify(found)


@board.route("/board/kiosk", methods=["GET", "POST"])
def kiosk() -> str | Response | tuple[str, int]:
    """A wall screen signs in with its board code (typed once; never in a URL or a log)."""
    form = KioskForm()
    if form.validate_on_submit():
        with database().write() as db:
            screen = screen_by_code(db, form.code.data)
        if screen is not None:
            start_kiosk(screen)
            return redirect(url_for("board.page"))
        form.code.errors = [_("This code opens no board (revoked, or mistyped).")]
        return render_template("board_kiosk.html", form=form), 401
    return render_template("board_kiosk.html", form=form), 400 if form.is_submitted() else 200


@board.route("/board/screens", methods=["GET", "POST"])
def screens() -> str | tuple[str, int]:
    """An administrator's wall screens: make one (its code is shown this once), revoke one."""
    code = None
    with database().write() as db:
        form = ScreenForm()
        lines = db.execute(select(Hotline.key, Hotline.name).order_by(Hotline.position)).all()
        form.line.choices = choices([("", _("All lines")), *lines])
        if form.validate_on_submit():
            try:
                code = make_screen(
                    db, form.name.data, form.line.data or None, clock.now(),
                    actor=me().username, source=client_address(),
                )  # fmt: skip
            except BadScreen as refused:
                form.name.errors = [_screen_refusal(refused.code)]
        page = render_template(
            "board_screens.html", form=form, code=code, screens=list_screens(db),
            button=ButtonForm(),
        )  # fmt: skip
    return (page, 400) if form.is_submitted() and code is None else page


@board.post("/board/screens/<int:screen_id>/revoke")
def revoke(screen_id: int) -> Response:
    if not ButtonForm().validate_on_submit():
        abort(400)
    with database().write() as db:
        if revoke_screen(db, screen_id, clock.now(), actor=me().username, source=client_address()):
            flash(_("The screen is signed out; its code opens nothing any more."))
    return redirect(url_for("board.screens"))


def _lines(db: Session) -> tuple[list[BoardLine], list[BoardLine]]:
    """The kiosk's line (or all), else the viewer's lines; and those narrowed to `?line=`."""
    screen = kiosk_screen() if not current_user.is_authenticated else None
    if screen is not None:
        scope = None if screen.line_id is None else frozenset({screen.line_id})
    else:
        scope = me().viewer.line_ids
    every = board_lines(db, scope)
    chosen = request.args.get("line")
    return every, [line for line in every if line.key == chosen] or every


def _screen_refusal(code: str) -> str:
    said = {
        "name-taken": _("A screen has this name already."),
        "name-form": _("A name of 1 to 64 characters."),
        "line-unknown": _("Choose a line from the list."),
    }
    return str(said.get(code, code))


def _words() -> dict[str, Any]:
    """What board.js writes, in the reader's language (it reads them from the page)."""
    return {
        "tier": _("Tier %(n)s", n="{n}"),
        "free": _("free"),
        "ringing": _("ringing"),
        "on-call": _("on a call"),
        "in-progress": _("in progress"),
        "nobody": _("Nobody on duty"),
        "no_calls": _("No call right now"),
        "no_gap": _("No gap in the next 7 days"),
        "all_confirmed": _("Every shift confirmed"),
        "stale": _("Not refreshed for a while: check the connection."),
    }
