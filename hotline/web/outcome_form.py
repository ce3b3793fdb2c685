"""The outcome form: filled from a saved outcome, saved through the records service."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import flash, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.models import (
    Booking,
    Call,
    CallOutcome,
    OutboxMessage,
    Partner,
    Referral,
    RiskAlert,
)
from hotline.records.outcomes import BadOutcome, Saved, partner_choices, save_outcome
from hotline.records.scope import Viewer
from hotline.records.scrub import BadNote
from hotline.records.vocabulary import FLAGGED_RISKS
from hotline.web.context import accounts, audited, settings
from hotline.web.forms import OutcomeForm, choices

# What the records service refused (`BadOutcome.code`), in the reader's language.
OUTCOME_PROBLEMS = {
    "unknown-value": _l("An answer is not one of the choices; choose again."),
    "partner-without-referral": _l("A partner hospital is chosen only with a referral."),
    "referral-without-partner": _l("A referral needs a partner hospital: choose one."),
    "unknown-partner": _l("That partner hospital is not on the list; choose another."),
}
NOTE_PROBLEMS = {
    "control-characters": _l("The note holds characters that cannot be stored; type it again."),
    "too-long": _l("The note is too long: shorten it."),
}


def outcome_form(db: Session, call: Call) -> OutcomeForm:
    saved = db.scalar(select(CallOutcome).where(CallOutcome.call_id == call.id))
    form = OutcomeForm(obj=_prefill(db, saved) if saved and request.method == "GET" else None)
    form.partner.choices = choices(partner_choices(db), blank=True)
    if saved is None and request.method == "GET":
        _tick_follow_up(db, call.id, form)
    return form


def _tick_follow_up(db: Session, call_id: int, form: OutcomeForm) -> None:
    """A first outcome comes with what was done from the call ticked: "appointment" for a
    booking, "referral" (and the latest referral's partner) for a referral."""
    ticked: list[str] = []
    if db.scalar(select(Booking.id).where(Booking.call_id == call_id).limit(1)) is not None:
        ticked.append("appointment")
    partner = db.scalar(
        select(Partner.key)
        .join(Referral, Referral.partner_id == Partner.id)
        .where(Referral.call_id == call_id)
        .order_by(Referral.created_at.desc(), Referral.id.desc())
        .limit(1)
    )
    if partner is not None:
        ticked.append("referral")
        form.partner.data = partner
    if ticked:
        form.actions.data = ticked


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
    except BadOutcome as problem:
        form.form_errors.append(OUTCOME_PROBLEMS.get(problem.code, str(problem)))
        return False
    except BadNote as problem:
        form.form_errors.append(NOTE_PROBLEMS.get(problem.code, str(problem)))
        return False
    audited(db, now, "outcome.save", target=str(call.id), detail={"risk": saved.outcome.risk})
    tell_saved(db, call.id, saved)
    return True


def tell_saved(db: Session, call_id: int, saved: Saved) -> None:
    """Tell the counselor what became of the alert: only what is true (queued is not sent).

    One text each, so that a language joins its sentences its own way (no space in Chinese).
    """
    cancelled = saved.alerts_cancelled
    if saved.outcome.risk in FLAGGED_RISKS and saved.alerts_queued > 0:
        flash(
            ngettext(
                "Outcome saved. The call is flagged; the line's supervisors' alert is queued "
                "(%(num)d message); it escalates until someone acknowledges it.",
                "Outcome saved. The call is flagged; the line's supervisors' alert is queued "
                "(%(num)d messages); it escalates until someone acknowledges it.",
                saved.alerts_queued,
            )
        )
    elif saved.outcome.risk in FLAGGED_RISKS:
        flash(_earlier_alert(db, call_id, saved.alert_open))
    elif cancelled:
        flash(
            ngettext(
                "Outcome saved. The risk is below high now: %(num)d unsent alert message was "
                "cancelled.",
                "Outcome saved. The risk is below high now: %(num)d unsent alert messages were "
                "cancelled.",
                cancelled,
            )
        )
    elif saved.unflagged:
        flash(_("Outcome saved. The risk is below high now: the call is no longer flagged."))
    else:
        flash(_("Outcome saved."))


def _earlier_alert(db: Session, call_id: int, alert_open: bool) -> Any:
    """Flagged, and nothing new was queued: the alert was raised before (and maybe
    acknowledged), or nobody has an address to queue it to."""
    if not alert_open:
        return _("Outcome saved. The call is flagged; its alert has been acknowledged.")
    live = (RiskAlert.call_id == call_id, OutboxMessage.state != "cancelled")
    told = db.scalar(
        select(func.count(OutboxMessage.id))
        .join(RiskAlert, RiskAlert.id == OutboxMessage.alert_id)
        .where(*live)
    )
    if told:
        return _(
            "Outcome saved. The call is flagged; its alert was queued before and escalates "
            "until someone acknowledges it."
        )
    return _(
        "Outcome saved. The call is flagged; no supervisor of this line has a phone or "
        "e-mail: the alert is shown on the alerts page and escalates to operators."
    )
