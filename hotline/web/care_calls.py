"""Follow-up care on a call's pages (the outcome form, the call's page): the counselor who
took the call books a session and proposes a referral; everyone who sees the call sees them.

The reminder's phone number is never written back into a page: a refused booking comes back
as a message above an empty form, and an accepted one says only that a reminder is queued.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from hotline import clock
from hotline.care.booking import (
    BadBooking,
    BookingInput,
    book,
    bookings_of_call,
    call_line,
    cancel_booking,
    changeable_booking,
    move_booking,
)
from hotline.care.calendar import FreeSession, free_sessions
from hotline.care.codes import spoken
from hotline.care.referrals import BadReferral, ReferralInput, propose
from hotline.care.reminders import local_start, reminder_text
from hotline.models import Booking, Call, CareSession, Hotline, Partner, Referral
from hotline.records.outcomes import own_call, partner_choices, tick_action
from hotline.records.scope import Viewer
from hotline.web.care_forms import BookingForm, MoveBookingForm, ReferralForm
from hotline.web.context import accounts, audited, database, settings, viewer
from hotline.web.forms import ButtonForm, choices

followup = Blueprint("followup", __name__)
SHOWN_SESSIONS = 200  # the first free sessions offered; the next three months at most
BOOKING_PROBLEMS = {
    "unknown-session": _l("That session is not one of this call's line: choose again."),
    "contact-without-consent": _l(
        "A phone number is kept only with the caller's consent: tick the consent, or leave the "
        "number out. Nothing was booked."
    ),
    "bad-phone": _l("That is not a phone number that can take a text. Nothing was booked."),
    "cancelled": _l("That session has just been cancelled: choose another. Nothing was booked."),
    "past": _l("That session has started or is over: choose another. Nothing was booked."),
    "full": _l("That session has just been filled: choose another. Nothing was booked."),
    "sender-is-a-line": _l(
        "Reminders are switched off: they would come from a line's own number "
        "(HOTLINE_SMS_FROM), and a reply would name the line. Book without a number, and tell "
        "an administrator. Nothing was booked."
    ),
}
CHANGE_PROBLEMS = {
    "unknown-booking": _l("That booking is not one of this call's."),
    "not-booked": _l("That booking is no longer booked (cancelled or marked): nothing changed."),
    "over": _l("That booking's session has started or is over: nothing changed."),
    "unknown-session": _l("That session is not one of the booking's line: nothing changed."),
    "same-session": _l("The booking is in that session already: nothing changed."),
    "cancelled": _l("That session has just been cancelled: choose another. Nothing changed."),
    "past": _l("That session has started or is over: choose another. Nothing changed."),
    "full": _l("That session has just been filled: choose another. Nothing changed."),
}
REFERRAL_PROBLEMS = {
    "unknown-value": _l("An answer is not one of the choices; choose again."),
    "no-reason": _l("Choose at least one reason for the referral."),
    "no-consent": _l("A referral is made only with the caller's consent: nothing was saved."),
    "unknown-partner": _l("That partner is not on the list; choose another."),
    "no-line": _l("This call belongs to no line: it cannot be referred from here."),
}


@dataclass(slots=True)
class CareOnCall:
    """What a call's page shows of its follow-up care (forms only for its own counselor)."""

    call_id: int
    back: str
    timezone: str
    bookings: list[tuple[Any, Any]] = field(default_factory=list)
    referrals: list[tuple[Referral, str]] = field(default_factory=list)
    booking_form: BookingForm | None = None
    referral_form: ReferralForm | None = None
    free: list[FreeSession] = field(default_factory=list)
    reminder: str = ""
    # Bookings this viewer may cancel or move (by id), with the forms to do it.
    changeable: set[int] = field(default_factory=set)
    cancel_form: ButtonForm | None = None
    move_forms: dict[int, MoveBookingForm] = field(default_factory=dict)


def care_on_call(db: Session, who: Viewer, call_id: int, now: datetime, back: str) -> CareOnCall:
    call = db.get(Call, call_id)
    line = db.get(Hotline, call_line(call) or 0) if call else None
    shown = CareOnCall(call_id, back, line.timezone if line else "UTC")
    shown.bookings = bookings_of_call(db, call_id)
    shown.referrals = [
        (referral, name)
        for referral, name in db.execute(
            select(Referral, Partner.name)
            .join(Partner, Partner.id == Referral.partner_id)
            .where(Referral.call_id == call_id)
            .order_by(Referral.created_at)
        )
    ]
    if line is not None and own_call(db, who, call_id) is not None:
        shown.free = free_sessions(db, [line.id], now, limit=SHOWN_SESSIONS)
        shown.booking_form = _booking_form(shown.free, line)
        shown.referral_form = _referral_form(db)
        shown.reminder = reminder_text(line, _("(day and time)"), _("(place)"), _("(code)"))
    shown.changeable = {
        booking.id
        for booking, held in shown.bookings
        if booking.state == "booked" and held.start > now and may_change(who, booking)
    }
    if shown.changeable and line is not None:
        free = shown.free or free_sessions(db, [line.id], now, limit=SHOWN_SESSIONS)
        shown.cancel_form = ButtonForm(formdata=None)
        for booking, _held in shown.bookings:
            if booking.id in shown.changeable:
                shown.move_forms[booking.id] = _move_form(free, line, booking)
    return shown


def may_change(who: Viewer, booking: Booking) -> bool:
    """The counselor who booked it, or a supervisor of its line."""
    if who.role == "counselor":
        return booking.booked_by == who.username
    if who.role == "supervisor":
        return who.line_ids is None or booking.hotline_id in who.line_ids
    return False


@followup.post("/calls/<int:call_id>/bookings")
def book_session(call_id: int) -> Response:
    now, who, form = clock.now(), viewer(), BookingForm()
    with database().write() as db:
        call = own_call(db, who, call_id)
        if call is None:
            abort(404)
        form.session.choices = [(form.session.data, "")]  # checked by the service, on its line
        if not form.validate_on_submit():
            flash(_("Choose a session. Nothing was booked."))
            return _back(call_id)
        data = BookingInput(form.session.data, bool(form.consent.data), form.phone.data or "")
        try:
            sender = settings().sms_from
            booked = book(
                db, call, data, now, actor=who.username, keys=accounts().keys, reminders_from=sender
            )
        except BadBooking as problem:
            audited(
                db, now, "care.booking.refused", target=str(call_id), detail={"why": problem.code}
            )
            flash(str(BOOKING_PROBLEMS[problem.code]))
            return _back(call_id)
        audited(
            db,
            now,
            "care.booking.book",
            target=str(call_id),
            detail={"booking": booked.booking.code, "reminder": booked.reminder},
        )
        tick_action(db, call_id, "appointment")
        line_zone = db.scalar(select(Hotline.timezone).where(Hotline.id == booked.held.hotline_id))
        _tell_booked(
            booked.booking.code,
            booked.held,
            line_zone or "UTC",
            booked.reminder,
            booked.too_late_to_remind,
        )
    return _back(call_id)


@followup.post("/calls/<int:call_id>/referrals")
def refer(call_id: int) -> Response:
    now, who, form = clock.now(), viewer(), ReferralForm()
    with database().write() as db:
        call = own_call(db, who, call_id)
        if call is None:
            abort(404)
        form.partner.choices = choices(partner_choices(db))
        if not form.validate_on_submit():
            flash(_("Choose a partner, an urgency and at least one reason. Nothing was saved."))
            return _back(call_id)
        data = ReferralInput(
            form.partner.data,
            form.urgency.data,
            tuple(form.reasons.data or ()),
            bool(form.consent.data),
        )
        try:
            referral = propose(db, call, data, now, actor=who.username)
        except BadReferral as problem:
            flash(str(REFERRAL_PROBLEMS[problem.code]))
            return _back(call_id)
        audited(
            db,
            now,
            "referral.propose",
            target=str(referral.id),
            detail={"call": call_id, "urgency": referral.urgency},
        )
        tick_action(db, call_id, "referral", partner_id=referral.partner_id)
    flash(
        _(
            "Referral #%(id)s is proposed; the line's supervisors follow it until it is closed.",
            id=referral.id,
        )
    )
    return _back(call_id)


@followup.post("/calls/<int:call_id>/bookings/<int:booking_id>/cancel")
def cancel(call_id: int, booking_id: int) -> Response:
    now, who = clock.now(), viewer()
    if not ButtonForm().validate_on_submit():
        abort(400)
    with database().write() as db:
        booking = _booking_to_change(db, who, call_id, booking_id)
        try:
            changeable_booking(db, booking.id, now)
        except BadBooking as problem:
            flash(str(CHANGE_PROBLEMS[problem.code]))
            return _back(call_id)
        reminded = cancel_booking(db, booking, now, actor=who.username)
        audited(
            db,
            now,
            "booking.cancel",
            target=str(booking.id),
            detail={"call": call_id, "booking": booking.code, "reminder": reminded},
        )
        said = _(
            "Booking %(code)s is cancelled; its place is free again.", code=spoken(booking.code)
        )
        if reminded:
            said += " " + _("Its reminder is cancelled and the number erased.")
    flash(said)
    return _back(call_id)


@followup.post("/calls/<int:call_id>/bookings/<int:booking_id>/move")
def move(call_id: int, booking_id: int) -> Response:
    now, who, form = clock.now(), viewer(), MoveBookingForm()
    with database().write() as db:
        booking = _booking_to_change(db, who, call_id, booking_id)
        form.to.choices = [(form.to.data, "")]  # checked by the service, on its line
        if not form.validate_on_submit():
            flash(_("Choose a session to move the booking to. Nothing changed."))
            return _back(call_id)
        from_session = booking.session_id
        try:
            changeable_booking(db, booking.id, now)
            moved = move_booking(db, booking, form.to.data, now, actor=who.username)
        except BadBooking as problem:
            flash(str(CHANGE_PROBLEMS[problem.code]))
            return _back(call_id)
        audited(
            db,
            now,
            "booking.move",
            target=str(booking.id),
            detail={
                "call": call_id,
                "booking": booking.code,
                "from": from_session,
                "to": moved.held.id,
                "reminder": moved.reminder,
            },
        )
        zone = db.scalar(select(Hotline.timezone).where(Hotline.id == booking.hotline_id))
        said = _(
            "Booking %(code)s is moved to %(start)s, %(place)s; its code stays the same.",
            code=spoken(booking.code),
            start=local_start(moved.held.start, zone or "UTC"),
            place=moved.held.place,
        )
        if moved.reminder == "moved":
            said += " " + _("Its reminder text now goes the day before the new session.")
        elif moved.reminder == "too-late":
            said += " " + _(
                "The new session is too soon for a reminder: it is cancelled and the number erased."
            )
    flash(said)
    return _back(call_id)


def _booking_to_change(db: Session, who: Viewer, call_id: int, booking_id: int) -> Booking:
    """The call's booking when this viewer may change it; 404 otherwise (says nothing)."""
    booking = db.get(Booking, booking_id)
    if booking is None or booking.call_id != call_id or not may_change(who, booking):
        abort(404)
    return booking


def _tell_booked(code: str, held: CareSession, zone: str, reminded: bool, too_late: bool) -> None:
    said = _(
        "Booked: %(start)s, %(place)s. Read the code to the caller: %(code)s.",
        start=local_start(held.start, zone),
        place=held.place,
        code=spoken(code),
    )
    if reminded:
        said += " " + _("One reminder text is queued for the day before.")
    elif too_late:
        said += " " + _(
            "No reminder: the session is too soon for one, and the number was not kept."
        )
    flash(said)


def _back(call_id: int) -> Response:
    """To the page the form was on: the outcome form, or the call's page."""
    if request.args.get("back") == "call":
        return redirect(url_for("calls.detail", call_id=call_id))
    return redirect(url_for("outcomes.form", call_id=call_id))


def _booking_form(free: list[FreeSession], line: Hotline) -> BookingForm:
    form = BookingForm(formdata=None)
    form.session.choices = [
        (
            s.id,
            " · ".join((local_start(s.start, line.timezone), s.place, s.provider, _free(s.free))),
        )
        for s in free
    ]
    return form


def _move_form(free: list[FreeSession], line: Hotline, booking: Booking) -> MoveBookingForm:
    form = MoveBookingForm(formdata=None)
    form.to.choices = [
        (
            s.id,
            " · ".join((local_start(s.start, line.timezone), s.place, s.provider, _free(s.free))),
        )
        for s in free
        if s.id != booking.session_id
    ]
    # One of these per booking on the page: each select needs an id (and label) of its own.
    form.to.id = form.to.label.field_id = f"move-to-{booking.id}"
    return form


def _referral_form(db: Session) -> ReferralForm:
    form = ReferralForm(formdata=None)
    form.partner.choices = choices(partner_choices(db))
    return form


def _free(places: int) -> str:
    return str(ngettext("%(num)d place free", "%(num)d places free", places))
