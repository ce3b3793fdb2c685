"""The forms of follow-up care; every choice is checked against its list."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TimeField,
)
from wtforms.validators import (
    AnyOf,
    DataRequired,
    DateRange,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from hotline.care import calendar
from hotline.care.calendar import SessionInput
from hotline.care.vocabulary import MARKS, REFERRAL_STATES
from hotline.web.care_labels import LINKS, REASONS, URGENCIES, WEEKDAYS
from hotline.web.forms import SANE_DATES, CheckboxesField, choices

_TEXT = [DataRequired(), Length(max=calendar.TEXT_MAX)]
# The years of `SANE_DATES`, which are those the calendar takes (`calendar.DAYS`).
_DAY = [
    InputRequired(),
    DateRange(SANE_DATES.min, SANE_DATES.max, message=_l("Choose a day from 2000 to 2099.")),
]


class _SessionFields(FlaskForm):  # type: ignore[misc]
    class Meta:
        # Two of these forms share a page under prefixes; a prefixed form would name its token
        # `one-csrf_token`. The app-wide CSRFProtect checks the page's one plain token instead.
        csrf = False

    line = SelectField(_l("Line"), validators=[DataRequired()])
    place = StringField(
        _l("Place (it is named in the reminder text: keep it neutral)"), validators=_TEXT
    )
    provider = StringField(_l("Counselor or doctor"), validators=_TEXT)
    wall = TimeField(_l("Starts at (the line's local time)"), validators=[InputRequired()])
    minutes = IntegerField(
        _l("Minutes"),
        default=50,
        validators=[InputRequired(), NumberRange(*calendar.MINUTES)],
    )
    capacity = IntegerField(
        _l("Places"), default=1, validators=[InputRequired(), NumberRange(*calendar.CAPACITY)]
    )

    def session_input(self) -> SessionInput:
        return SessionInput(
            self.place.data or "", self.provider.data or "", self.minutes.data, self.capacity.data
        )


class SessionForm(_SessionFields):
    day = DateField(_l("Day"), validators=_DAY)


class PatternForm(_SessionFields):
    days = CheckboxesField(_l("Weekdays"), choices=choices(WEEKDAYS.items()))
    first = DateField(_l("First day"), validators=_DAY)
    last = DateField(_l("Last day"), validators=_DAY)


class ReceptionForm(FlaskForm):  # type: ignore[misc]
    code = StringField(_l("Booking code"), validators=[DataRequired(), Length(max=20)])
    mark = StringField(validators=[AnyOf(MARKS)])


class BookingForm(FlaskForm):  # type: ignore[misc]
    session = SelectField(_l("Session"), coerce=int, validators=[InputRequired()])
    consent = BooleanField(_l("The caller agreed, after hearing the text below, to one reminder"))
    # Never shown back: a refused form comes back with this field empty (see `care_calls`).
    phone = StringField(
        _l("Phone number for the reminder (optional)"),
        validators=[Optional(), Length(max=40)],
        render_kw={"autocomplete": "off", "inputmode": "tel"},
    )


class MoveBookingForm(FlaskForm):  # type: ignore[misc]
    to = SelectField(_l("Move to"), coerce=int, validators=[InputRequired()])


class ReferralForm(FlaskForm):  # type: ignore[misc]
    partner = SelectField(_l("Partner"), validators=[DataRequired()])
    urgency = RadioField(
        _l("Urgency"), choices=choices(URGENCIES.items()), validators=[InputRequired()]
    )
    reasons = CheckboxesField(_l("Reasons"), choices=choices(REASONS.items()))
    consent = BooleanField(_l("The caller agreed to this referral"))


class MoveForm(FlaskForm):  # type: ignore[misc]
    to = StringField(validators=[AnyOf(REFERRAL_STATES)])


class CaseForm(FlaskForm):  # type: ignore[misc]
    line = SelectField(_l("Line"), validators=[DataRequired()])


class LinkForm(FlaskForm):  # type: ignore[misc]
    kind = SelectField(_l("Join"), choices=choices(LINKS.items()), validators=[DataRequired()])
    value = StringField(_l("Number or code"), validators=[DataRequired(), Length(max=20)])
