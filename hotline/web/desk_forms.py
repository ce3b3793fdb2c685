"""The rota desk's forms and words: an override, a leave, and the rules' names."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from hotline.config.rota_schema import MAX_TIER
from hotline.web.forms import CheckboxesField, choices

# What a `datetime-local` input sends, and what the configuration file writes: a wall clock.
WALL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$")
RULES = {
    "tier-1-staffed": _l("Tier 1 staffed"),
    "qualified": _l("A qualification on duty"),
    "max-consecutive-nights": _l("Nights in a row"),
    "min-rest": _l("Rest between shifts"),
    "max-weekly-hours": _l("Hours in a week"),
}


def _wall(label: Any) -> StringField:
    return StringField(
        label,
        validators=[
            DataRequired(),
            Length(max=16),
            Regexp(WALL, message=_l("A date and time like 2026-12-24T08:00.")),
        ],
    )


class WindowForm(FlaskForm):  # type: ignore[misc]
    """From and until, on the line's clock; `ref` names the entry edited (none: a new one)."""

    ref = HiddenField(validators=[Optional(), Length(max=64)])
    start = _wall(_l("From (the line's local time)"))
    end = _wall(_l("Until (the line's local time)"))

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.end.data <= self.start.data:
            self.end.errors.append(_l("Must be after the start."))
            return False
        return True


class OverrideForm(WindowForm):
    tier = SelectField(
        _l("Tier"), choices=choices((str(n), str(n)) for n in range(1, MAX_TIER + 1)), default="1"
    )
    counselors = CheckboxesField(_l("Counselors on duty instead"))

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if not self.counselors.data:
            self.counselors.errors = [*self.counselors.errors, _l("Choose at least one.")]
            return False
        return valid


class LeaveForm(WindowForm):
    counselor = SelectField(_l("Counselor"), default="")
