"""A counselor confirms their shift with one click on their start page."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from hotline import clock
from hotline.confirmations import WEB, confirm_shift
from hotline.models import Hotline, ShiftConfirmation
from hotline.web.context import audited, database, viewer
from hotline.web.forms import ButtonForm
from hotline.web.i18n import local_time

shifts = Blueprint("shifts", __name__)


@shifts.post("/shifts/<int:confirmation_id>/confirm")
def confirm(confirmation_id: int) -> Response:
    counselor_id = viewer().counselor_id
    if not ButtonForm().validate_on_submit():
        abort(400)
    if counselor_id is None:
        abort(404)
    now = clock.now()
    with database().write() as db:
        found = confirm_shift(db, confirmation_id, counselor_id, WEB, now)
        changed = found is not None and found.confirmed_at == now
        audited(db, now, "shift.confirm", target=str(confirmation_id), detail={"changed": changed})
        said = _said(db, found, changed)
    flash(said)
    return redirect(url_for("outcomes.waiting"))


def _said(db: Session, found: ShiftConfirmation | None, changed: bool) -> str:
    # Someone else's shift reads like one that is over: nothing is told about it.
    if found is None:
        return str(_("This shift can no longer be confirmed."))
    if not changed:
        return str(_("This shift was already confirmed; nothing changed."))
    line = db.get(Hotline, found.hotline_id)
    name, zone = (line.name, line.timezone) if line else ("—", "UTC")
    when = local_time(found.start, zone)
    return str(_("Shift confirmed: %(line)s, starting %(time)s. Thank you.", line=name, time=when))
