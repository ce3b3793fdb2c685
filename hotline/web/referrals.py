"""The supervisors' referrals page: open, overdue by urgency, closed with result; each
referral moves one step at a time (audited)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from hotline import clock
from hotline.care.board import referral_board
from hotline.care.referrals import BadReferral, move
from hotline.care.scope import on_lines
from hotline.models import Referral
from hotline.web.care_forms import MoveForm
from hotline.web.care_labels import CARE
from hotline.web.context import audited, client_address, database, viewer

referrals = Blueprint("referrals", __name__)


@referrals.get("/referrals")
def board() -> str:
    now, who = clock.now(), viewer()
    with database().write() as db:
        found = referral_board(db, who, now)
        audited(db, now, "referrals.list", detail={"referrals": found.ids})
    return render_template("referrals.html", board=found, button=MoveForm(), care=CARE)


@referrals.post("/referrals/<int:referral_id>/move")
def move_referral(referral_id: int) -> Response:
    now, who, form = clock.now(), viewer(), MoveForm()
    if not form.validate_on_submit():
        abort(400)
    to = form.to.data
    with database().write() as db:
        mine = on_lines(who, Referral.hotline_id)
        referral = db.scalar(select(Referral).where(Referral.id == referral_id, mine))
        if referral is None:
            abort(404)  # not a referral of the viewer's lines
        try:
            move(db, referral, to, now, actor=who.username, source=client_address())
        except BadReferral:
            db.refresh(referral)
            state = CARE["referral_states"][referral.state]
            flash(
                _("Referral #%(id)s was not changed: it is %(state)s.", id=referral_id, state=state)
            )
            return redirect(url_for("referrals.board"))
    flash(_("Referral #%(id)s: %(state)s.", id=referral_id, state=CARE["referral_states"][to]))
    return redirect(url_for("referrals.board"))
