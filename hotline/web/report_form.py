"""The statistics page's report download: which lines, which month or year, which format."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Regexp

from hotline.records.report import ALL
from hotline.records.statistics_question import LineInScope
from hotline.web.forms import choices


class ReportForm(FlaskForm):  # type: ignore[misc]
    """Posted with its CSRF token: a download is audited, like the call log's export."""

    scope = SelectField(_l("Lines"), choices=[])
    period = StringField(
        _l("Month (YYYY-MM) or year (YYYY)"),
        validators=[DataRequired(), Regexp(r"^[0-9]{4}(-[0-9]{2})?$")],
    )
    format = SelectField(_l("Format"), choices=choices([("pdf", "PDF"), ("csv", "CSV")]))


def report_form(scope: list[LineInScope], every: bool, today: date, **data: Any) -> ReportForm:
    """The form with the reader's lines, and all lines when they may read every line."""
    form = ReportForm(**data)
    every_line = [(ALL, _l("All lines"))] if every else []
    form.scope.choices = choices([*every_line, *((line.key, line.name) for line in scope)])
    if not form.period.data:
        form.period.data = str(today.year - 1)
    return form
