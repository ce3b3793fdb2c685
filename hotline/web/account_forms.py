"""The accounts' forms (a new account, passwords) and the accounts services' refusals in the
reader's language, put on the field they concern."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import Session
from wtforms import Field, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from hotline.accounts.passwords import MAX_LENGTH, MIN_LENGTH, WeakPassword
from hotline.accounts.users import BadAccount, NewUser
from hotline.models import Counselor, Hotline
from hotline.records.vocabulary import ROLES
from hotline.web import labels
from hotline.web.forms import CheckboxesField, choices

# `Problem.code` and `WeakPassword.code` of the accounts services, as the pages say them.
PROBLEMS = {
    "username-form": _l("Lower-case letters, digits, . _ or -, starting with a letter."),
    "username-taken": _l("This username is taken already."),
    "role": _l("Choose a role."),
    "counselor-role": _l("A counselor's account names its counselor; other accounts name none."),
    "counselor-unknown": _l("Choose a counselor from the list."),
    "lines-role": _l("Only operators and supervisors are limited to lines."),
    "line-unknown": _l("Choose lines from the list."),
    "phone": _l("A number in E.164 form, like +8613900000000."),
    "email": _l("Not an e-mail address."),
    "current-wrong": _l("That is not your current password."),
    "throttled": _l("Too many failed attempts. Wait a few minutes, then try again."),
    "too-short": _l("At least %(num)d characters.", num=MIN_LENGTH),
    "too-long": _l("At most %(num)d characters.", num=MAX_LENGTH),
    "too-common": _l("This password is too common; choose another."),
}


class NewUserForm(FlaskForm):  # type: ignore[misc]
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    role = SelectField(_l("Role"), choices=choices((r, labels.ROLES[r]) for r in ROLES))
    counselor = SelectField(_l("Counselor (counselor accounts only)"), default="")
    hotlines = CheckboxesField(_l("Lines (operators and supervisors; none: every line)"))
    phone = StringField(_l("Phone for alerts"), validators=[Optional(), Length(max=20)])
    email = StringField(_l("E-mail for alerts"), validators=[Optional(), Length(max=254)])

    def offer(self, db: Session) -> NewUserForm:
        """The counselors and lines to choose from."""
        staff = select(Counselor.key, Counselor.name).order_by(Counselor.position)
        lines = select(Hotline.key, Hotline.name).order_by(Hotline.position)
        self.counselor.choices = choices(db.execute(staff).all(), blank=True)
        self.hotlines.choices = choices(db.execute(lines).all())
        return self

    def new_user(self) -> NewUser:
        return NewUser(
            username=(self.username.data or "").strip(),
            role=self.role.data,
            password="",  # none: the new user sets one through a one-time link
            counselor=self.counselor.data or None,
            hotlines=tuple(self.hotlines.data or ()),
            phone=(self.phone.data or "").strip() or None,
            email=(self.email.data or "").strip() or None,
        )


class NewPasswordForm(FlaskForm):  # type: ignore[misc]
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )
    repeat = PasswordField(
        _l("The new password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords differ."))],
    )


class ChangePasswordForm(NewPasswordForm):
    current = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=MAX_LENGTH)]
    )


def show_refusal(form: FlaskForm, refusal: BadAccount | WeakPassword) -> None:
    """Put what the service refused on the fields it concerns (else on the form)."""
    if isinstance(refusal, WeakPassword):
        _on(form, "password", PROBLEMS[refusal.code])
        return
    for problem in refusal.problems or ():
        _on(form, problem.field, PROBLEMS.get(problem.code, problem.text))
    if not refusal.problems:
        form.form_errors.append(str(refusal))


def _on(form: FlaskForm, name: str, text: object) -> None:
    field: Field | None = getattr(form, name, None)
    if isinstance(field, Field):
        field.errors = [*field.errors, text]
    else:
        form.form_errors.append(text)
