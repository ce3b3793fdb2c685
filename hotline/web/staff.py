"""Counselors and line settings managed in the app (issue 15): administrators, and operators for
the lines they operate (who may manage whom: `hotline.desk.staffing`). Every change is written
by the configuration import (its checks, its writer) and audited. Staff phones are shown here,
to administrators and operators only (the access table)."""

from __future__ import annotations

import re
from typing import Any

import yaml
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from hotline import clock
from hotline.config.document import LANGUAGES
from hotline.desk.staffing import (
    LINE_SETTINGS,
    CounselorEdit,
    Refused,
    counselor_entry,
    line_entry,
    staff_of_lines,
    write_counselor,
    write_line_settings,
)
from hotline.models import Counselor, Hotline
from hotline.web.context import audited, database, viewer
from hotline.web.forms import choices
from hotline.web.rota_desk import line_in_scope, lines_in_scope

staff = Blueprint("staff", __name__, url_prefix="/rota")
Page = str | Response | tuple[str, int]
_WORDS = re.compile(r"[\s,，、]+")
_WHOLE = re.compile(r"^-?[0-9]{1,9}$")


class CounselorForm(FlaskForm):  # type: ignore[misc]
    key = StringField(
        _l("Key (letters a-z, digits and -)"), validators=[Optional(), Length(max=64)]
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    phone = StringField(_l("Phone"), validators=[DataRequired(), Length(max=40)])
    qualifications = StringField(
        _l("Qualifications (separated by commas)"), validators=[Length(max=500)]
    )
    languages = StringField(_l("Languages (separated by commas)"), validators=[Length(max=200)])


class ActiveForm(FlaskForm):  # type: ignore[misc]
    active = HiddenField(validators=[DataRequired()])


class LineSettingsForm(FlaskForm):  # type: ignore[misc]
    language = SelectField(_l("Language of the line"), choices=choices((w, w) for w in LANGUAGES))
    ring_seconds = StringField(_l("Ring each counselor for (seconds)"), [Length(max=10)])
    max_wait_seconds = StringField(_l("Longest wait for a caller (seconds)"), [Length(max=10)])
    fallback_number = StringField(_l("Fallback number"), [Length(max=40)])
    closing_message = TextAreaField(_l("Message outside service hours"), [Length(max=1000)])
    alert_escalation_minutes = StringField(
        _l("Escalate an unacknowledged alert after (minutes)"), [Length(max=10)]
    )
    message_links = BooleanField(_l("Messages may carry links"))
    auto_approve_swaps = BooleanField(_l("Approve swaps that break no rule"))
    service_hours = TextAreaField(_l("Service hours (YAML, as in the file)"), [Length(max=4000)])
    coverage_rules = TextAreaField(_l("Coverage rules (YAML, as in the file)"), [Length(max=4000)])


@staff.get("/counselors")
def counselors() -> str:
    with database().read() as db:
        people = db.scalars(select(Counselor).order_by(Counselor.position)).all()
        found = staff_of_lines(db)
        allowed = found.visible(viewer().line_ids, {p.key: p.active for p in people})
        groups = [
            (line.name, line.key, [p for p in people if p.key in found.by_line.get(line.id, ())])
            for line in lines_in_scope(db)
        ]
        loose = [p for p in people if p.key in found.unassigned and p.key in allowed]
        return render_template("staff_counselors.html", groups=groups, loose=loose)


@staff.route("/counselors/new", methods=["GET", "POST"])
def new_counselor() -> Page:
    form = CounselorForm()
    if form.is_submitted() and not form.key.data:
        form.key.errors = [_("Required.")]
    if not form.validate_on_submit() or not form.key.data:
        return _counselor_page(form, None)
    edit = _edit_of(form, str(form.key.data).strip(), active=True)
    return _save_counselor(form, None, edit)


@staff.route("/counselors/<key>", methods=["GET", "POST"])
def counselor(key: str) -> Page:
    with database().read() as db:
        person = _counselor_in_scope(db, key)
        form = CounselorForm()
        if request.method == "GET":
            entry = counselor_entry(person)
            form.process(data={**entry, "qualifications": ", ".join(entry["qualifications"]),
                               "languages": ", ".join(entry["languages"])})  # fmt: skip
        active = person.active
    if not form.validate_on_submit():
        return _counselor_page(form, key, active=active)
    return _save_counselor(form, key, _edit_of(form, key, active=active))


@staff.post("/counselors/<key>/active")
def set_active(key: str) -> Response:
    form = ActiveForm()
    if not form.validate_on_submit() or form.active.data not in ("0", "1"):
        abort(400)
    with database().read() as db:
        entry = counselor_entry(_counselor_in_scope(db, key))
    active = form.active.data == "1"
    edit = CounselorEdit(key, entry["name"], entry["phone"], tuple(entry["qualifications"]),
                         tuple(entry["languages"]), active)  # fmt: skip
    now = clock.now()
    try:
        with database().write() as db:
            written = write_counselor(db, edit, now, adding=False)
            if written.summary.changed:
                action = "counselor.reactivate" if active else "counselor.deactivate"
                audited(db, now, action, target=key)
    except Refused as refused:  # the counselor's data no longer passes (changed meanwhile)
        flash(" ".join([*refused.others, *(m for ms in refused.fields.values() for m in ms)]))
        return redirect(url_for("staff.counselor", key=key))
    flash(_("Reactivated.") if active else _("Deactivated: no longer rung."))
    return redirect(url_for("staff.counselor", key=key))


@staff.route("/line-settings", methods=["GET", "POST"])
def line_settings() -> Page:
    with database().read() as db:
        line = line_in_scope(db, request.args.get("line", ""))
        if line is None:
            return redirect(url_for("rota_desk.lines"))
        line_id, line_key, line_name = line.id, line.key, line.name
        before = line_entry(line)
    form = LineSettingsForm()
    if request.method == "GET":
        form.process(data=_settings_shown(before))
    settings = _settings_of(form) if form.validate_on_submit() else None
    if settings is None:
        return _line_page(form, line_key, line_name)
    now = clock.now()
    try:
        with database().write() as db:
            found = db.get(Hotline, line_id)
            assert found is not None
            written = write_line_settings(db, found, settings, now)
            db.flush()
            db.refresh(found)
            after = line_entry(found)
            changed = {
                name: [before.get(name), after.get(name)]
                for name in LINE_SETTINGS
                if before.get(name) != after.get(name)
            }
            if changed:
                versions = [f"{v.hotline} v{v.number}" for v in written.summary.versions]
                audited(db, now, "line.settings", target=line_key,
                        detail={"changed": changed, "versions": versions})  # fmt: skip
    except Refused as refused:
        _show(form, refused)
        return _line_page(form, line_key, line_name, problems=refused.others)
    flash(_("Saved.") if changed else _("Nothing changed."))
    return redirect(url_for("staff.line_settings", line=line_key))


def _counselor_in_scope(db: Any, key: str) -> Counselor:
    """The counselor, when the viewer may manage them; else back to the list (as the rota
    desk does with a line out of scope: nothing says whether the key exists)."""
    person = db.scalar(select(Counselor).where(Counselor.key == key))
    people = {k: a for k, a in db.execute(select(Counselor.key, Counselor.active))}
    if person is None or key not in staff_of_lines(db).visible(viewer().line_ids, people):
        abort(redirect(url_for("staff.counselors")))
    return person  # type: ignore[no-any-return]


def _edit_of(form: CounselorForm, key: str, *, active: bool) -> CounselorEdit:
    return CounselorEdit(key, str(form.name.data).strip(), str(form.phone.data),
                         _words(form.qualifications.data), _words(form.languages.data),
                         active)  # fmt: skip


def _save_counselor(form: CounselorForm, key: str | None, edit: CounselorEdit) -> Page:
    now = clock.now()
    try:
        with database().write() as db:
            before = None
            if key is not None:
                before = counselor_entry(_counselor_in_scope(db, key))
            written = write_counselor(db, edit, now, adding=key is None)
            if key is None:
                audited(db, now, "counselor.add", target=edit.key)
            elif written.summary.changed:
                person = db.scalar(select(Counselor).where(Counselor.key == key))
                after = counselor_entry(person) if person is not None else {}
                changed = sorted(k for k in after if before and before.get(k) != after[k])
                # Which fields, never the phone itself: the audit log is no staff directory.
                audited(db, now, "counselor.edit", target=key, detail={"changed": changed})
    except Refused as refused:
        _show(form, refused)
        return _counselor_page(form, key, problems=refused.others)
    flash(_("Saved.") if written.summary.changed else _("Nothing changed."))
    return redirect(url_for("staff.counselor", key=edit.key))


def _show(form: Any, refused: Refused) -> None:
    for name, messages in refused.fields.items():
        target = getattr(form, name, None)
        if target is None:
            refused.others.extend(f"{name}: {m}" for m in messages)
        else:
            target.errors = [*target.errors, *messages]


def _counselor_page(form: CounselorForm, key: str | None, **values: Any) -> Page:
    page = render_template(
        "staff_counselor.html", form=form, key=key, active_form=ActiveForm(), **values
    )
    return (page, 400) if form.is_submitted() else page


def _line_page(form: LineSettingsForm, key: str, name: str, **values: Any) -> Page:
    page = render_template("line_settings.html", form=form, line=key, name=name, **values)
    return (page, 400) if form.is_submitted() else page


def _words(text: str | None) -> tuple[str, ...]:
    return tuple(word for word in _WORDS.split(text or "") if word)


def _settings_shown(entry: dict[str, Any]) -> dict[str, Any]:
    """The line's settings as the form shows them: numbers as text, lists and rules as YAML."""
    shown = {name: entry.get(name) for name in LINE_SETTINGS}
    for name in ("ring_seconds", "max_wait_seconds"):
        shown[name] = str(entry[name])
    shown["alert_escalation_minutes"] = str(entry.get("alert_escalation_minutes", 10))
    shown["message_links"] = entry.get("message_links", True)
    shown["auto_approve_swaps"] = entry.get("auto_approve_swaps", False)
    for name in ("service_hours", "coverage_rules"):
        value = entry.get(name)
        shown[name] = "" if value is None else _yaml(value)
    return shown


def _yaml(value: Any) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=60)


def _settings_of(form: LineSettingsForm) -> dict[str, Any] | None:
    """The form as the file would say it; the schema then checks every value (a number out
    of range, a rule it does not know). None: a YAML field that is not YAML at all."""
    settings: dict[str, Any] = {"language": form.language.data}
    for name in ("ring_seconds", "max_wait_seconds", "alert_escalation_minutes"):
        text = str(getattr(form, name).data or "").strip()
        settings[name] = int(text) if _WHOLE.match(text) else (text or None)
    for name in ("fallback_number", "closing_message"):
        settings[name] = str(getattr(form, name).data or "").strip() or None
    settings["message_links"] = bool(form.message_links.data)
    settings["auto_approve_swaps"] = bool(form.auto_approve_swaps.data)
    readable = True
    for name in ("service_hours", "coverage_rules"):
        text = str(getattr(form, name).data or "").strip()
        try:
            settings[name] = yaml.safe_load(text) if text else None
        except yaml.YAMLError:
            getattr(form, name).errors = [_("Not readable as YAML: check the indentation.")]
            readable = False
    return settings if readable else None
