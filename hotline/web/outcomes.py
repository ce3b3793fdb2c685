"""The counselor's pages: calls waiting for an outcome, and the outcome form."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from hotline import clock
from hotline.confirmations import shifts_to_confirm
from hotline.records.detail import call_view
from hotline.records.outcomes import own_call, repeat_count, waiting_for_outcome
from hotline.web import labels
from hotline.web.care_calls import care_on_call
from hotline.web.care_labels import CARE
from hotline.web.context import audited, database, viewer
from hotline.web.forms import ButtonForm
from hotline.web.names import names
from hotline.web.outcome_form import outcome_form, try_save

outcomes = Blueprint("outcomes", __name__)


@outcomes.get("/outcomes")
def waiting() -> str:
    """The counselor's start page: shifts to confirm, then calls waiting for an outcome."""
    now, who = clock.now(), viewer()
    with database().write() as db:
        found = waiting_for_outcome(db, who)
        audited(db, now, "outcomes.list", detail={"calls": [call.call_id for call in found]})
        shown = names(db)
        to_confirm = shifts_to_confirm(db, who.counselor_id, now) if who.counselor_id else []
    return render_template(
        "outcomes_waiting.html", calls=found, names=shown, shifts=to_confirm, button=ButtonForm()
    )


@outcomes.route("/calls/<int:call_id>/outcome", methods=["GET", "POST"])
def form(call_id: int) -> tuple[str, int] | Response:
    return _form_page(call_id, save=True)


def kept_form(call_id: int) -> tuple[str, int] | Response:
    """The form filled in with what was typed before the session ended (this request carries
    it, see `hotline.web.resume`), not saved yet: the counselor checks it and saves."""
    flash(_("You are signed in again. What you typed is kept below: check it, then save."))
    return _form_page(call_id, save=False)


def _form_page(call_id: int, *, save: bool) -> tuple[str, int] | Response:
    now, who = clock.now(), viewer()
    with database().write() as db:
        call = own_call(db, who, call_id)
        if call is None:
            abort(404)
        form = outcome_form(db, call)
        if save and form.validate_on_submit() and try_save(db, call, form, who, now):
            return redirect(url_for("outcomes.waiting"))
        # The form shows the call: opening it (or seeing it again after a refused save) is a view.
        audited(db, now, "outcome.view", target=str(call.id))
        context = {"call": call_view(db, who, call.id, now), "repeat": repeat_count(db, call)}
        care_call = care_on_call(db, who, call.id, now, "outcome")
    status = 400 if save and form.is_submitted() else 200
    page = render_template(
        "outcome_form.html",
        form=form,
        labels=labels.ALL,
        care_call=care_call,
        care=CARE,
        **context,
    )
    return page, status
