"""The statistics page: how each line is doing, every figure linked to the calls it counts.

Reading it is reading call data (in counts): audited like the call log. Operators see the
figures but no links: the call records behind them are not theirs to read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from hotline import clock
from hotline.models import Partner
from hotline.records.calllog import days_asked
from hotline.records.definitions import Counted
from hotline.records.drilldown import base_filters, heatmap, outcome_filters, series
from hotline.records.report import report, year_figures
from hotline.records.report_render import as_csv, as_pdf, words
from hotline.records.report_request import BadReport, check_scope, parse_period, scope_name
from hotline.records.statistics import Statistics, statistics
from hotline.records.statistics_question import (
    MAX_YEARS,
    BadQuestion,
    LineInScope,
    Question,
    ask,
    lines_in_scope,
)
from hotline.web import labels
from hotline.web.access import roles_for
from hotline.web.calllog import log_url
from hotline.web.care_labels import CARE
from hotline.web.context import audited, database, settings, viewer
from hotline.web.forms import StatisticsForm, choices
from hotline.web.names import names
from hotline.web.report_form import ReportForm, report_form

stats = Blueprint("statistics", __name__)
Link = Callable[..., str | None]


@stats.get("/statistics")
def page() -> tuple[str, int]:
    now, who = clock.now(), viewer()
    # Counted in a read transaction (on SQLite a write one would hold the single writer, and
    # calls with it, for the whole count); the reading is audited in a short write after.
    with database().read() as db:
        scope = lines_in_scope(db, who)
        form = statistics_form(scope, now)
        try:
            question = _asked(form, scope, db)
        except BadQuestion as refused:
            page = render_template(
                "statistics.html", form=form, report=reports(scope, now), problem=refusal(refused)
            )
            return page, 400
        found = statistics(db, question, now)
        shown = names(db, counselors=[c.counselor for c in found.counselors])
        partners = dict(db.execute(select(Partner.key, Partner.name)).all())
    with database().write() as db:
        days = {"from": str(question.start), "to": str(question.end)}
        audited(db, now, "stats.read", detail={"lines": list(question.lines), **days})
    linked = who.role in (roles_for("calls.log") or ())
    return render_template(
        "statistics.html",
        form=form,
        report=reports(scope, now),
        found=found,
        series=series(found),
        cells=heatmap(found),
        link=linker(found, linked),
        labels=labels.ALL,
        names=shown,
        partners=partners,
        follow_up=follow_up_words(),
        buckets=labels.BUCKETS,
        hours=range(24),
    ), 200


def follow_up_words() -> dict[str, Any]:
    """The rows of the follow-up care tables (a booking's "missed" is not a call's, nor is a
    referral's "declined" a counselor's: they have their own words here)."""
    return {
        "appointments": {
            "booked": _("Appointments booked"),
            "attended": _("Attended"),
            "missed": _("Did not come"),
            "cancelled": _("Cancelled"),
            "open": _("Still open (session ahead, or not yet marked)"),
        },
        "urgency": CARE["urgencies"],
        "result": {**CARE["referral_states"], "declined": _("Referral declined")},
    }


def statistics_form(scope: list[LineInScope], now: datetime) -> StatisticsForm:
    """The form from the query string; without dates, the last 30 days (shown filled in)."""
    form = StatisticsForm(request.args)
    form.lines.choices = choices((line.key, line.name) for line in scope)
    if not request.args.get("start") and not request.args.get("end"):
        form.start.data, form.end.data = default_days(scope, now)
    return form


def _asked(form: StatisticsForm, scope: list[LineInScope], db: Any) -> Question:
    if not form.validate():
        raise BadQuestion("form")
    start, end = form.start.data, form.end.data
    if start is None or end is None:
        raise BadQuestion("empty")
    return ask(db, viewer(), form.lines.data or [], start, end, form.bucket.data)


def default_days(scope: list[LineInScope], now: datetime) -> tuple[date, date]:
    """The last 30 days up to today on the first line's clock."""
    today = now.astimezone(ZoneInfo(scope[0].timezone if scope else "UTC")).date()
    return days_asked(None, None, today)


def linker(found: Statistics, linked: bool) -> Link:
    """`link(...)`: the call log URL of one figure; None for those who may not read the log."""
    base = base_filters(found)

    def link(
        outcome: tuple[str, str] | None = None,
        counted: dict[str, Any] | None = None,
        **changes: Any,
    ) -> str | None:
        if not linked:
            return None
        filters = outcome_filters(base, *outcome) if outcome else base
        if counted:
            filters = replace(filters, counted=Counted(**counted))
        return log_url(replace(filters, **changes))

    return link


def refusal(refused: BadQuestion) -> str:
    """Why the question was refused, in the reader's language."""
    reasons = {
        "reversed": _("The range ends before it starts."),
        "too-long": _("The range is longer than %(years)d years.", years=MAX_YEARS),
        "unknown-line": _("There is no such line: %(line)s.", line=refused.detail),
        "not-your-line": _("That line is not one of yours: %(line)s.", line=refused.detail),
        "no-lines": _("There are no lines to count yet."),
        "empty": _("Choose both the first and the last day."),
    }
    return str(reasons.get(refused.code, _("Check the filters: a date or a choice is not valid.")))


def reports(scope: list[LineInScope], now: datetime) -> ReportForm | None:
    """The report download, for supervisors and administrators (all lines: when all are theirs)."""
    who = viewer()
    if who.role not in (roles_for("statistics.report_download") or ()):
        return None
    return report_form(scope, who.role == "admin" or who.line_ids is None, now.date())


@stats.post("/statistics/report")
def report_download() -> Response | tuple[str, int]:
    """A monthly or yearly report, small counts suppressed: what may leave the hospital."""
    now, who = clock.now(), viewer()
    # Counted in a read transaction (on SQLite a write one would hold the single writer, and
    # calls with it, for the whole count); the reading is audited in a short write after.
    with database().read() as db:
        scope = lines_in_scope(db, who)
        form = reports(scope, now)
        try:
            if form is None or not form.validate_on_submit():
                raise BadReport("form")
            period = parse_period(form.period.data, now.date())
            readable = None if who.role == "admin" or who.line_ids is None else scope
            key = check_scope(db, form.scope.data, _keys(readable))
        except BadReport as refused:
            page = render_template(
                "statistics.html",
                form=statistics_form(scope, now),
                report=form,
                problem=report_refusal(refused),
            )
            return page, 400
        kind = form.format.data
        up_to = settings().report_suppress_up_to
        found = report(year_figures(db, period.year, now, up_to), key, period)
        name = scope_name(db, key)
    with database().write() as db:
        audited(
            db, now, "stats.report", detail={"scope": key, "period": period.key, "format": kind}
        )
    locale = get_locale()
    say = words("zh-CN" if locale is not None and locale.language == "zh" else "en")
    body = as_csv(found, say).encode() if kind == "csv" else as_pdf(found, say, name, now.date())
    filename = f"hotline-{'all' if key == '*' else key}-{period.key}.{kind}"
    return Response(
        body,
        content_type="text/csv; charset=utf-8" if kind == "csv" else "application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _keys(lines: list[LineInScope] | None) -> set[str] | None:
    return None if lines is None else {line.key for line in lines}


def report_refusal(refused: BadReport) -> str:
    reasons = {
        "period": _(
            "The report's period must be a month (YYYY-MM) or a year (YYYY) already begun."
        ),
        "unknown-line": _("There is no such line: %(line)s.", line=refused.detail),
        "not-your-line": _("A report of all lines needs every line to be yours."),
    }
    return str(reasons.get(refused.code, _("Check the report's lines, period and format.")))
