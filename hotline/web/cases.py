"""Student cases of school lines: for that line's counselors and supervisors only (everyone
else gets 404), every view and change audited."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response

from hotline import clock
from hotline.care.cases import (
    BadCase,
    case_file,
    case_line_ids,
    cases_of,
    close_case,
    find_case,
    link,
    open_case,
)
from hotline.models import Hotline
from hotline.web.care_forms import CaseForm, LinkForm
from hotline.web.care_labels import CARE
from hotline.web.context import audited, client_address, database, viewer
from hotline.web.forms import ButtonForm, choices

cases = Blueprint("cases", __name__)
CASE_PROBLEMS = {
    "not-your-line": _l("That is not a school line of yours."),
    "not-found": _l(
        "Nothing of this case's line has that number or code (only calls you can see, and "
        "their bookings and referrals)."
    ),
    "unknown-kind": _l("Join a call, a booking or a referral."),
    "in-another-case": _l(
        "That is joined to another case already, and stays there: nothing was changed."
    ),
}


@cases.get("/cases")
def list_cases() -> str:
    now, who = clock.now(), viewer()
    with database().write() as db:
        found = cases_of(db, who)
        lines = db.scalars(select(Hotline).where(Hotline.id.in_(case_line_ids(db, who)))).all()
        form = CaseForm()
        form.line.choices = choices((line.key, line.name) for line in lines)
        audited(db, now, "cases.list", detail={"cases": [case.code for case in found]})
        names = {line.id: line.name for line in lines}
    return render_template("cases.html", cases=found, form=form, names=names)


@cases.post("/cases")
def new_case() -> Response:
    now, who, form = clock.now(), viewer(), CaseForm()
    with database().write() as db:
        lines = db.scalars(select(Hotline).where(Hotline.id.in_(case_line_ids(db, who)))).all()
        form.line.choices = choices((line.key, line.name) for line in lines)
        line = next((line for line in lines if line.key == form.line.data), None)
        if not form.validate_on_submit() or line is None:
            flash(str(CASE_PROBLEMS["not-your-line"]))
            return redirect(url_for("cases.list_cases"))
        case = open_case(db, who, line.id, now, source=client_address())
        case_id, code = case.id, case.code
    flash(_("Case %(code)s is open. Give this code to the school; keep no name here.", code=code))
    return redirect(url_for("cases.show", case_id=case_id))


@cases.get("/cases/<int:case_id>")
def show(case_id: int) -> str:
    now, who = clock.now(), viewer()
    with database().write() as db:
        case = find_case(db, who, case_id)
        if case is None:
            abort(404)
        found = case_file(db, case)
        zone = db.scalar(select(Hotline.timezone).where(Hotline.id == case.hotline_id)) or "UTC"
        audited(db, now, "case.view", target=case.code)
    return render_template(
        "case.html", file=found, zone=zone, form=LinkForm(), button=ButtonForm(), care=CARE
    )


@cases.post("/cases/<int:case_id>/links")
def add_link(case_id: int) -> Response:
    now, who, form = clock.now(), viewer(), LinkForm()
    with database().write() as db:
        case = find_case(db, who, case_id)
        if case is None:
            abort(404)
        if not form.validate_on_submit():
            flash(str(CASE_PROBLEMS["unknown-kind"]))
            return redirect(url_for("cases.show", case_id=case_id))
        try:
            link(db, who, case, form.kind.data, form.value.data, now, source=client_address())
        except BadCase as problem:
            flash(str(CASE_PROBLEMS[problem.code]))
            return redirect(url_for("cases.show", case_id=case_id))
    flash(_("Joined to the case."))
    return redirect(url_for("cases.show", case_id=case_id))


@cases.post("/cases/<int:case_id>/close")
def close(case_id: int) -> Response:
    now, who = clock.now(), viewer()
    if not ButtonForm().validate_on_submit():
        abort(400)
    with database().write() as db:
        case = find_case(db, who, case_id)
        if case is None:
            abort(404)
        close_case(db, who, case, now, source=client_address())
    flash(_("The case is closed."))
    return redirect(url_for("cases.show", case_id=case_id))
