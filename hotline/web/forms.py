"""The forms of the web app; every choice is validated against its list (never free text)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.i18n import translations as wtforms_translations
from wtforms import (
    DateField,
    Form,
    IntegerField,
    PasswordField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    DateRange,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)
from wtforms.widgets import CheckboxInput, ListWidget

from hotline.outbound.quiet import zone_names
from hotline.records.calllog import CallFilters
from hotline.records.definitions import Counted
from hotline.records.outcomes import OutcomeInput
from hotline.records.policy import DEFAULT_NOTE_MAX_CHARS
from hotline.web import labels


def choices(pairs: Iterable[tuple[str, Any]], *, blank: bool = False) -> list[SelectChoice]:
    """Options of a select, radio or checkbox group; `blank`: a first "—" meaning "any"."""
    found = [SelectChoice(value, label) for value, label in pairs]
    return [SelectChoice("", "—"), *found] if blank else found


def _choices(words: dict[str, Any], *, blank: bool = False) -> list[SelectChoice]:
    return choices(words.items(), blank=blank)


class CheckboxesField(SelectMultipleField):  # type: ignore[misc]
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class LoginForm(FlaskForm):  # type: ignore[misc]
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])


class CodeForm(FlaskForm):  # type: ignore[misc]
    # Six digits, or a recovery code (ten letters and digits, maybe pasted with spaces).
    code = StringField(
        _l("Code from your authenticator app"), validators=[DataRequired(), Length(max=32)]
    )


class AgainForm(FlaskForm):  # type: ignore[misc]
    """Signing in again where a form was sent after the session ended (see `web.resume`)."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    code = StringField(
        _l("Code from your authenticator app, if you use one"),
        validators=[Optional(), Length(max=32)],
    )


class ButtonForm(FlaskForm):  # type: ignore[misc]
    """A form that is only a button (logout, deactivate): the CSRF token is all it carries."""


class LanguageForm(FlaskForm):  # type: ignore[misc]
    language = SelectField(
        _l("Language"), choices=choices([("zh_CN", "中文（简体）"), ("en", "English")])
    )


_QUARTERS = [f"{hour:02d}:{minute:02d}" for hour in range(24) for minute in (0, 15, 30, 45)]


class QuietHoursForm(FlaskForm):  # type: ignore[misc]
    """Quiet hours: both times or neither; the zone blank means each message's line's zone."""

    quiet_start = SelectField(
        _l("Quiet from"), choices=choices(((t, t) for t in _QUARTERS), blank=True), default=""
    )
    quiet_end = SelectField(
        _l("Quiet until"), choices=choices(((t, t) for t in _QUARTERS), blank=True), default=""
    )
    timezone = SelectField(
        _l("Time zone"),
        choices=[
            SelectChoice("", _l("The line's time zone")),
            *choices((zone, zone) for zone in sorted(zone_names())),
        ],
        default="",
    )

    def validate(self, extra_validators: Any = None) -> bool:
        if not super().validate(extra_validators):
            return False
        start, end = self.quiet_start.data, self.quiet_end.data
        if bool(start) != bool(end):
            self.quiet_end.errors.append(_l("Choose both times, or neither."))
            return False
        if start and start == end:
            self.quiet_end.errors.append(_l("Quiet hours must end: choose another time."))
            return False
        return True

    def window(self) -> str | None:
        """`22:00-07:00`, or None for no quiet hours."""
        return f"{self.quiet_start.data}-{self.quiet_end.data}" if self.quiet_start.data else None

    def show(self, window: str | None, zone: str | None) -> None:
        start, _, end = (window or "").partition("-")
        self.quiet_start.data, self.quiet_end.data, self.timezone.data = start, end, zone or ""


class OutcomeForm(FlaskForm):  # type: ignore[misc]
    call_type = RadioField(
        _l("Call type"), choices=_choices(labels.CALL_TYPES), validators=[InputRequired()]
    )
    topics = CheckboxesField(_l("Topics"), choices=_choices(labels.TOPICS))
    risk = RadioField(
        _l("Risk level"), choices=_choices(labels.RISKS), validators=[InputRequired()]
    )
    actions = CheckboxesField(_l("Actions"), choices=_choices(labels.ACTIONS))
    partner = SelectField(
        _l("Partner hospital (for a referral)"), choices=choices([], blank=True), default=""
    )
    caller_type = SelectField(
        _l("Who called"), choices=_choices(labels.CALLER_TYPES, blank=True), default=""
    )
    age_band = SelectField(
        _l("Age band"), choices=_choices(labels.AGE_BANDS, blank=True), default=""
    )
    note = TextAreaField(_l("Note"), validators=[Length(max=DEFAULT_NOTE_MAX_CHARS)])

    def outcome(self) -> OutcomeInput:
        return OutcomeInput(
            call_type=self.call_type.data,
            topics=tuple(self.topics.data or ()),
            risk=self.risk.data,
            actions=tuple(self.actions.data or ()),
            partner=self.partner.data or None,
            caller_type=self.caller_type.data or None,
            age_band=self.age_band.data or None,
            note=self.note.data or "",
        )


# A date outside these years is a typo or an attack, never a filter someone means.
SANE_DATES = DateRange(min=date(2000, 1, 1), max=date(2099, 12, 31))


class FilterForm(Form):  # type: ignore[misc]
    """The call log's filters, read from the query string (a GET: no CSRF token needed)."""

    class Meta:
        def get_translations(self, form: Form) -> Any:
            # A plain Form speaks English; FlaskForm's translations follow the page's language.
            return wtforms_translations

    line = SelectField(_l("Line"), choices=choices([], blank=True), default="")
    start = DateField(_l("From"), validators=[Optional(), SANE_DATES])
    end = DateField(_l("To"), validators=[Optional(), SANE_DATES])
    result = SelectField(_l("Result"), choices=_choices(labels.RESULTS, blank=True), default="")
    risk = SelectField(_l("Risk level"), choices=_choices(labels.RISKS, blank=True), default="")
    call_type = SelectField(
        _l("Call type"), choices=_choices(labels.CALL_TYPES, blank=True), default=""
    )
    counselor = SelectField(_l("Counselor"), choices=choices([], blank=True), default="")
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100000)])
    # What a figure of the statistics page counts (its link lands here with these).
    lines = CheckboxesField(_l("Arrived on"), choices=[])
    figure = SelectField(_l("Counted as"), choices=_choices(labels.FIGURES, blank=True), default="")
    topic = SelectField(_l("Topic"), choices=_choices(labels.TOPICS, blank=True), default="")
    action = SelectField(_l("Action"), choices=_choices(labels.ACTIONS, blank=True), default="")
    partner = SelectField(_l("Partner"), choices=choices([], blank=True), default="")
    caller_type = SelectField(
        _l("Who called"), choices=_choices(labels.CALLER_TYPES, blank=True), default=""
    )
    age_band = SelectField(
        _l("Age band"), choices=_choices(labels.AGE_BANDS, blank=True), default=""
    )
    weekday = SelectField(
        _l("Weekday"), choices=_choices(labels.WEEKDAYS_BY_NUMBER, blank=True), default=""
    )
    hour = IntegerField(_l("Hour"), validators=[Optional(), NumberRange(min=0, max=23)])
    rung = SelectField(_l("Rung"), choices=choices([], blank=True), default="")
    leg = SelectField(_l("Their leg"), choices=_choices(labels.LEGS, blank=True), default="")

    def filters(self) -> CallFilters:
        return CallFilters(
            line=self.line.data or None,
            start=self.start.data,
            end=self.end.data,
            result=self.result.data or None,
            risk=self.risk.data or None,
            call_type=self.call_type.data or None,
            counselor=self.counselor.data or None,
            lines=tuple(self.lines.data or ()),
            counted=Counted(
                figure=self.figure.data or None,
                topic=self.topic.data or None,
                action=self.action.data or None,
                partner=self.partner.data or None,
                caller_type=self.caller_type.data or None,
                age_band=self.age_band.data or None,
                weekday=int(self.weekday.data) if self.weekday.data else None,
                hour=self.hour.data,
                rung=self.rung.data or None,
                leg=self.leg.data or None,
            ),
        )

    def counts_a_figure(self) -> bool:
        """A statistic's link brought these filters (the form shows them open)."""
        return bool(self.filters().counted.args() or self.lines.data)


class StatisticsForm(Form):  # type: ignore[misc]
    """The statistics page's question, read from the query string."""

    class Meta:
        def get_translations(self, form: Form) -> Any:
            return wtforms_translations

    lines = CheckboxesField(_l("Lines"), choices=[])
    start = DateField(_l("From"), validators=[Optional(), SANE_DATES])
    end = DateField(_l("To"), validators=[Optional(), SANE_DATES])
    bucket = SelectField(_l("Per"), choices=_choices(labels.BUCKETS), default="day")


class ExportForm(FlaskForm):  # type: ignore[misc]
    """The export button: the filters travel in the action URL's query string."""

    format = SelectField(choices=choices([("csv", "CSV"), ("json", "JSON")]))
