"""Operators' follow-up care pages: the sessions calendar (publish one, a weekly pattern,
cancel) and the reception desk (attended or missed, by code)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from hotline import clock
from hotline.care.calendar import BadSession, publish_session, publish_weekly, upcoming_sessions
from hotline.care.cancellation import cancel_session
from hotline.care.codes import spoken
from hotline.care.reception import BadMark, mark_booking
from hotline.care.scope import lines_of
from hotline.models import Hotline
from hotline.web.care_forms import PatternForm, ReceptionForm, SessionForm
from hotline.web.care_labels import CARE
from hotline.web.context import audited, database, settings, viewer
from hotline.web.forms import ButtonForm, choices

care = Blueprint("care", __name__)
Page = tuple[str, int] | Response

SESSION_PROBLEMS = {
    "past": _l("That session would start in the past."),
    "blank": _l("A session needs a place and a counselor or doctor."),
    "too-long-text": _l("The place or the name is too long."),
    "minutes": _l("A session lasts 10 to 480 minutes."),
    "capacity": _l("A session has 1 to 200 places."),
    "days": _l("Choose at least one weekday."),
    "range": _l("The last day is before the first."),
    "too-long": _l("A pattern covers at most a year: publish the rest later."),
    "empty": _l("The pattern makes no session in the future: check its days."),
    "out-of-range": _l("Choose a day from 2000 to 2099."),
}
MARK_PROBLEMS = {
    "not-a-code": _l("A booking code is six letters and digits, like K7M 4PQ: check it."),
    "unknown-code": _l("No booking of your lines has this code: check it with the caller."),
    "cancelled": _l("This booking was cancelled; the caller needs a new one."),
    "already-attended": _l("This booking is already marked attended."),
    "already-missed": _l("This booking is already marked missed."),
    "not-yet": _l("This booking's session is on %(when)s, not today."),
    "missed-too-early": _l("The session has not started yet: it cannot be missed."),
    "expired": _l("This booking's session was on %(when)s: too long ago to mark."),
    "unknown-mark": _l("Choose attended or missed."),
}


@care.get("/care/sessions")
def sessions() -> Page:
    return _calendar(SessionForm(prefix="one"), PatternForm(prefix="weekly"), 200)


@care.post("/care/sessions")
def publish_one() -> Page:
    form, now, who = SessionForm(prefix="one"), clock.now(), viewer()
    with database().write() as db:
        line = _chosen_line(db, form)
        if form.validate_on_submit() and line is not None:
            wall = datetime.combine(form.day.data, form.wall.data)
            try:
                made = publish_session(db, line, form.session_input(), wall, now, who.username)
            except BadSession as problem:
                form.form_errors.append(SESSION_PROBLEMS[problem.code])
            else:
                audited(db, now, "care.session.publish", target=str(made.id))
                flash(_("The session is published."))
                return redirect(url_for("care.sessions"))
    return _calendar(form, PatternForm(prefix="weekly"), 400)


@care.post("/care/patterns")
def publish_pattern() -> Page:
    form, now, who = PatternForm(prefix="weekly"), clock.now(), viewer()
    with database().write() as db:
        line = _chosen_line(db, form)
        if form.validate_on_submit() and line is not None:
            try:
                pattern, made = publish_weekly(
                    db, line, form.session_input(), tuple(form.days.data or ()),
                    form.wall.data, form.first.data, form.last.data, now, who.username,
                )  # fmt: skip
            except BadSession as problem:
                form.form_errors.append(SESSION_PROBLEMS[problem.code])
            else:
                audited(db, now, "care.pattern.publish", target=str(pattern.id))
                flash(
                    ngettext(
                        "%(num)d session is published.", "%(num)d sessions are published.", made
                    )
                )
                return redirect(url_for("care.sessions"))
    return _calendar(SessionForm(prefix="one"), form, 400)


@care.post("/care/sessions/<int:session_id>/cancel")
def cancel(session_id: int) -> Response:
    now, who = clock.now(), viewer()
    if not ButtonForm().validate_on_submit():
        abort(400)
    with database().write() as db:
        done = cancel_session(db, who, session_id, now, settings().public_url)
        if done is None:
            abort(404)
        audited(
            db,
            now,
            "care.session.cancel",
            target=str(session_id),
            detail={"bookings": done.bookings},
        )
    flash(
        ngettext(
            "The session is cancelled; %(num)d booking was cancelled and its counselor is told.",
            "The session is cancelled; %(num)d bookings were cancelled and their counselors "
            "are told.",
            done.bookings,
        )
    )
    return redirect(url_for("care.sessions"))


@care.route("/care/reception", methods=["GET", "POST"])
def reception() -> Page:
    form, now, who = ReceptionForm(), clock.now(), viewer()
    if not form.validate_on_submit():
        return render_template(
            "care_reception.html", form=form
        ), 400 if form.is_submitted() else 200
    with database().write() as db:
        try:
            marked = mark_booking(db, who, form.code.data, form.mark.data, now)
        except BadMark as problem:
            when = problem.when.strftime("%Y-%m-%d") if problem.when else ""
            form.code.errors = [MARK_PROBLEMS[problem.code] % {"when": when}]
            audited(db, now, "care.booking.mark_refused", detail={"why": problem.code})
            return render_template("care_reception.html", form=form), 400
        audited(db, now, "care.booking.mark", target=marked.code, detail={"mark": marked.mark})
    flash(
        _(
            "Booking %(code)s is marked %(mark)s.",
            code=spoken(marked.code),
            mark=CARE["booking_states"][marked.mark],
        )
    )
    return redirect(url_for("care.reception"))


def _chosen_line(db: Session, form: SessionForm | PatternForm) -> Hotline | None:
    lines = lines_of(db, viewer())
    form.line.choices = choices((line.key, line.name) for line in lines)
    return next((line for line in lines if line.key == form.line.data), None)


def _calendar(one: SessionForm, weekly: PatternForm, status: int) -> Page:
    now, who = clock.now(), viewer()
    with database().write() as db:
        lines = lines_of(db, who)
        for form in (one, weekly):
            form.line.choices = choices((line.key, line.name) for line in lines)
        rows = upcoming_sessions(db, [line.id for line in lines], now)
        audited(db, now, "care.sessions.list", detail={"sessions": len(rows)})
    page = render_template(
        "care_sessions.html", one=one, weekly=weekly, rows=rows, button=ButtonForm(), care=CARE
    )
    return page, status
