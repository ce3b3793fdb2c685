"""The outcome form: filled from a saved outcome, saved through the records service."""

from __future__ import annotations

from datetime import datetime

from flask import flash, request
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Call, CallOutcome, Partner
from hotline.records.outcomes import BadOutcome, partner_choices, save_outcome
from hotline.records.scope import Viewer
from hotline.records.scrub import BadNote
from hotline.web.context import accounts, audited, settings
from hotline.web.forms import OutcomeForm, choices


def outcome_form(db: Session, call: Call) -> OutcomeForm:
    saved = db.scalar(select(CallOutcome).where(CallOutcome.call_id == call.id))
    form = OutcomeForm(obj=_prefill(db, saved) if saved and request.method == "GET" else None)
    form.partner.choices = choices(partner_choices(db), blank=True)
    return form


def _prefill(db: Session, saved: CallOutcome) -> object:
    class Values:
        call_type, risk, topics, actions = saved.call_type, saved.risk, saved.topics, saved.actions
        caller_type, age_band, note = saved.caller_type or "", saved.age_band or "", saved.note
        partner = db.scalar(select(Partner.key).where(Partner.id == saved.partner_id)) or ""

    return Values()


def try_save(db: Session, call: Call, form: OutcomeForm, who: Viewer, now: datetime) -> bool:
    """Save the outcome; on a refused value, put the reason on the form and return False."""
    try:
        saved = save_outcome(
            db,
            call,
            form.outcome(),
            now,
            note_max=accounts().policy.note_max_chars,
            public_url=settings().public_url,
        )
    except (BadOutcome, BadNote) as problem:
        form.form_errors.append(str(problem))
        return False
    audited(db, now, "outcome.save", target=str(call.id), detail={"risk": saved.outcome.risk})
    # One text each, so that a language joins its sentences its own way (no space in Chinese).
    if saved.outcome.flagged:
        flash(_("Outcome saved. The call is flagged; the line's supervisors are alerted."))
    else:
        flash(_("Outcome saved."))
    return True
