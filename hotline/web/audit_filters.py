"""The audit log page's filters: who, which action, which days (UTC), and the page."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf.i18n import translations as wtforms_translations
from sqlalchemy.orm import Session
from wtforms import DateField, Form, IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from hotline.records.audit import AuditFilters, audit_actions
from hotline.web.forms import SANE_DATES, choices


class AuditFilterForm(Form):  # type: ignore[misc]
    """Read from the query string (a GET: no CSRF token needed)."""

    class Meta:
        def get_translations(self, form: Form) -> Any:
            return wtforms_translations  # the page's language, as FlaskForm's messages

    actor = StringField(_l("Who"), validators=[Optional(), Length(max=64)])
    action = SelectField(_l("What"), choices=choices([], blank=True), default="")
    start = DateField(_l("From (UTC)"), validators=[Optional(), SANE_DATES])
    end = DateField(_l("To (UTC)"), validators=[Optional(), SANE_DATES])
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)])

    def filters(self) -> AuditFilters:
        actor = (self.actor.data or "").strip()
        return AuditFilters(actor or None, self.action.data or None, self.start.data, self.end.data)


def audit_filter_form(db: Session) -> AuditFilterForm:
    """The filters from the query string; the actions to choose from are those in the log."""
    form = AuditFilterForm(request.args)
    form.action.choices = choices(((a, a) for a in audit_actions(db)), blank=True)
    return form
