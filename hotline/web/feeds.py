"""Calendar feeds (`hotline.desk.feeds`): the secret iCal URL itself (no session: the token
is the credential), a counselor's own feed on their account page, and the lines' feeds on the
rota desk (operators of the line, administrators)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from hotline import clock
from hotline.desk.feeds import (
    etag_of,
    feed_by_token,
    feed_calendar,
    feed_of,
    make_feed,
    revoke_feed,
)
from hotline.web.context import client_address, database, me, settings, viewer
from hotline.web.forms import ButtonForm
from hotline.web.rota_desk import line_in_scope, lines_in_scope

feeds = Blueprint("feeds", __name__)
MAX_AGE = 900  # calendar apps poll every few hours; a quarter of an hour of staleness is fine


def _key() -> bytes:
    return settings().secret_key.encode()


def feed_url(token: str) -> str:
    return settings().public_url.rstrip("/") + url_for("feeds.ical", token=token)


@feeds.get("/feeds/<token>.ics")
def ical(token: str) -> Response:
    """The feed: 404 for an unknown or revoked token (the same answer: nothing to learn)."""
    now = clock.now()
    with database().read() as db:
        feed = feed_by_token(db, token)
        if feed is None:
            abort(404)
        body = feed_calendar(db, feed, now)
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.set_etag(etag_of(body))
    # Private: the URL is a secret, so no shared cache may keep or serve it.
    response.headers["Cache-Control"] = f"private, max-age={MAX_AGE}"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Content-Disposition"] = 'inline; filename="rota.ics"'
    return response.make_conditional(request)


def my_feed() -> dict[str, Any] | None:
    """The account page's part: None for a user who is no counselor."""
    counselor_id = viewer().counselor_id
    if me().role != "counselor" or counselor_id is None:
        return None
    with database().read() as db:
        found = feed_of(db, _key(), counselor_id=counselor_id)
    url = feed_url(found.token) if found and found.token else None
    return {"feed": found, "url": url, "form": ButtonForm()}


@feeds.post("/account/feed")
def make_mine() -> Response:
    """A new URL of the signed-in counselor's own shifts (nobody else's: no counselor is named
    in the request); the old URL, if any, stops working."""
    counselor_id = _my_counselor()
    if ButtonForm().validate_on_submit():
        with database().write() as db:
            make_feed(db, _key(), clock.now(), counselor_id=counselor_id,
                      actor=me().username, source=client_address())  # fmt: skip
        flash(_("Your calendar URL is ready. Keep it to yourself: it needs no password."))
    return redirect(url_for("pages.account") + "#feed")


@feeds.post("/account/feed/revoke")
def revoke_mine() -> Response:
    counselor_id = _my_counselor()
    if ButtonForm().validate_on_submit():
        with database().write() as db:
            found = feed_of(db, _key(), counselor_id=counselor_id)
            if found is not None:
                revoke_feed(db, found.id, clock.now(), actor=me().username,
                            source=client_address())  # fmt: skip
        flash(_("Your calendar URL no longer works."))
    return redirect(url_for("pages.account") + "#feed")


@feeds.route("/rota/feeds", methods=["GET", "POST"])
def lines() -> str | Response:
    """The lines' feeds: make (or make anew) and revoke; operators of the line, admins."""
    form = ButtonForm()
    if form.validate_on_submit():
        action, key = request.form.get("action"), request.form.get("line", "")
        with database().write() as db:
            line = line_in_scope(db, key)
            if line is None:
                abort(404)
            now, who, where = clock.now(), me().username, client_address()
            if action == "make":
                make_feed(db, _key(), now, hotline_id=line.id, actor=who, source=where)
                flash(_("A new calendar URL for %(line)s is ready.", line=line.name))
            elif action == "revoke":
                found = feed_of(db, _key(), hotline_id=line.id)
                if found is not None:
                    revoke_feed(db, found.id, now, actor=who, source=where)
                flash(_("The calendar URL of %(line)s no longer works.", line=line.name))
            else:
                abort(400)
        return redirect(url_for("feeds.lines"))
    with database().read() as db:
        shown = [(line.key, line.name, _line_feed(db, line.id)) for line in lines_in_scope(db)]
    return render_template("rota_feeds.html", lines=shown, form=form)


def _line_feed(db: Session, line_id: int) -> dict[str, Any] | None:
    found = feed_of(db, _key(), hotline_id=line_id)
    if found is None:
        return None
    return {"feed": found, "url": feed_url(found.token) if found.token else None}


def _my_counselor() -> int:
    counselor_id = viewer().counselor_id
    if counselor_id is None:
        abort(403)
    return counselor_id
