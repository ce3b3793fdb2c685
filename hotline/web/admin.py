"""The administrator's pages: accounts (deactivate) and the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from werkzeug.wrappers import Response

from hotline import clock
from hotline.accounts.users import deactivate as deactivate_user
from hotline.accounts.users import list_users
from hotline.models import User
from hotline.records.audit import recent_entries
from hotline.web import labels
from hotline.web.context import database, me
from hotline.web.forms import ButtonForm

admin = Blueprint("admin", __name__, url_prefix="/admin")


@admin.get("/users")
def users() -> str:
    with database().read() as db:  # rendered inside: a read transaction's rows expire after it
        return render_template(
            "users.html", users=list_users(db), button=ButtonForm(), labels=labels.ALL
        )


@admin.post("/users/<int:user_id>/deactivate")
def deactivate(user_id: int) -> Response:
    if not ButtonForm().validate_on_submit():
        abort(400)
    with database().write() as db:
        user = db.get(User, user_id)
        if user is None or user.username == me().username:
            abort(404)
        deactivate_user(db, user, clock.now(), actor=me().username)
    return redirect(url_for("admin.users"))


@admin.get("/audit")
def audit() -> str:
    with database().read() as db:
        return render_template("audit.html", entries=recent_entries(db))
