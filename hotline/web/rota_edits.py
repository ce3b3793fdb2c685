"""Editing overrides and leave with a preview: "Preview" shows what the edit would change
(written by the import in a savepoint, then rolled back); "Save" writes it as a new rota
version, audited. Operators of the line and administrators only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from hotline import clock
from hotline.config.schema import ConfigurationError
from hotline.desk.edits import (
    GoneMeanwhile,
    LeaveEdit,
    OverrideEdit,
    Written,
    counselor_leave,
    entry_ref,
    known_now,
    line_overrides,
    write_leave,
    write_overrides,
)
from hotline.desk.preview import Effect, edit_window, line_effect
from hotline.models import Counselor, Hotline, RotaVersion
from hotline.web.context import audited, database
from hotline.web.desk_forms import RULES, LeaveForm, OverrideForm
from hotline.web.forms import choices
from hotline.web.rota_desk import counselor_in_scope, line_in_scope, lines_in_scope
from rota.snapshot import from_document

rota_edits = Blueprint("rota_edits", __name__, url_prefix="/rota")
Page = str | Response | tuple[str, int]
Write = Callable[[Session, datetime], Written]


@rota_edits.route("/override", methods=["GET", "POST"])
def override() -> Page:
    with database().read() as db:
        line = line_in_scope(db, request.args.get("line", ""))
        if line is None:
            return redirect(url_for("rota_desk.lines"))
        ref = request.args.get("ref") or None
        form = OverrideForm()
        form.counselors.choices = _staff_choices(db)
        current = _entry(line_overrides(db, line), ref)
        if request.method == "GET" and current is not None:
            form.process(data={**current, "tier": str(current["tier"]), "ref": ref})
        line_key, line_id = line.key, line.id
    if not form.validate_on_submit():
        return _page("rota_override.html", form, line_key, ref, current)
    edit = OverrideEdit(line_key, ref, int(form.tier.data), form.start.data, form.end.data,
                        tuple(form.counselors.data), _removing())  # fmt: skip
    moments = [(edit.start, edit.end)] + ([(current["start"], current["end"])] if current else [])

    def write(db: Session, now: datetime) -> Written:
        found = db.get(Hotline, line_id)
        assert found is not None
        return write_overrides(db, found, edit, known_now(db), now)

    return _preview_or_save(form, "rota_override.html", line_key, ref, current, write,
                            [line_id], moments)  # fmt: skip


@rota_edits.route("/leave", methods=["GET", "POST"])
def leave() -> Page:
    with database().read() as db:
        line = line_in_scope(db, request.args.get("line", ""))
        if line is None:
            return redirect(url_for("rota_desk.lines"))
        ref = request.args.get("ref") or None
        form = LeaveForm()
        form.counselor.choices = _staff_choices(db)
        key = form.counselor.data if form.is_submitted() else request.args.get("counselor", "")
        person = counselor_in_scope(db, key or "")
        current = _entry(counselor_leave(db, person), ref) if person and ref else None
        if request.method == "GET":
            form.process(data={**(current or {}), "counselor": key, "ref": ref})
        line_key = line.key
        lines = [each.id for each in lines_in_scope(db)]
        person_id = person.id if person is not None else None
    if not form.validate_on_submit() or person_id is None:
        if form.is_submitted() and person_id is None:
            form.counselor.errors = [_("Choose a counselor from the list.")]
        return _page("rota_leave.html", form, line_key, ref, current)
    edit = LeaveEdit(str(key), ref, form.start.data, form.end.data, _removing())
    moments = [(edit.start, edit.end)] + ([(current["start"], current["end"])] if current else [])

    def write(db: Session, now: datetime) -> Written:
        found = db.get(Counselor, person_id)
        assert found is not None
        return write_leave(db, found, edit, known_now(db), now)

    return _preview_or_save(form, "rota_leave.html", line_key, ref, current, write, lines,
                            moments)  # fmt: skip


def _preview_or_save(
    form: Any,
    template: str,
    line_key: str,
    ref: str | None,
    current: dict[str, Any] | None,
    write: Write,
    line_ids: list[int],
    moments: list[tuple[str, str]],
    **extra: Any,
) -> Page:
    now = clock.now()
    try:
        if request.form.get("action") == "save":
            return _save(write, line_key, ref, now, moments[0][0])
        effects = _preview(write, line_ids, moments, now)
    except ConfigurationError as refused:
        return _page(template, form, line_key, ref, current, problems=refused.problems, **extra)
    except GoneMeanwhile:
        flash(_("That entry was changed or removed meanwhile: nothing was saved."))
        return redirect(url_for("rota_desk.calendar", line=line_key))
    return _page(template, form, line_key, ref, current, effects=effects, previewed=True,
                 **extra)  # fmt: skip


def _preview(
    write: Write, line_ids: list[int], moments: list[tuple[str, str]], now: datetime
) -> list[Effect]:
    """The edit written as the import writes it, in a savepoint rolled back at once (the write
    lock is held that long only); then the versions it would publish compared outside it."""
    with database().write() as db:
        nested = db.begin_nested()
        published = write(db, now).summary.versions
        after = {}
        for version in published:
            document = db.scalar(
                select(RotaVersion.document)
                .join(Hotline, RotaVersion.hotline_id == Hotline.id)
                .where(Hotline.key == version.hotline, Hotline.id.in_(line_ids))
                .where(RotaVersion.number == version.number)
            )
            if document is not None:
                after[version.hotline] = document
        nested.rollback()
    effects = []
    with database().read() as db:
        for line in db.scalars(select(Hotline).where(Hotline.key.in_(sorted(after)))).all():
            tz = ZoneInfo(line.timezone)
            window = edit_window([_parsed(a, b) for a, b in moments], tz, now)
            if window is not None:
                rota = from_document(after[line.key])
                effects.append(line_effect(db, line, rota, window, now))
    return [e for e in effects if not e.changes_nothing]


def _save(write: Write, line_key: str, ref: str | None, now: datetime, start: str) -> Response:
    with database().write() as db:
        written = write(db, now)
        versions = [f"{v.hotline} v{v.number}" for v in written.summary.versions]
        audited(db, now, "rota.edit", target=line_key, detail={
            "ref": ref, "section": written.section[:4000], "versions": versions})  # fmt: skip
    if versions:
        flash(_("Saved: a new version of the rota (%(versions)s).", versions=", ".join(versions)))
    else:
        flash(_("Nothing changed: the rota already said this."))
    return redirect(url_for("rota_desk.calendar", line=line_key, day=start[:10]))


def _page(
    template: str,
    form: Any,
    line_key: str,
    ref: str | None,
    current: dict[str, Any] | None,
    **values: Any,
) -> Page:
    with database().read() as db:
        names = {key: name for key, name in db.execute(select(Counselor.key, Counselor.name))}
    page = render_template(
        template, form=form, line=line_key, ref=ref, current=current, rules=RULES, names=names,
        **values,
    )  # fmt: skip
    return (page, 400) if form.is_submitted() and not values.get("previewed") else page


def _entry(entries: list[dict[str, Any]], ref: str | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    found = next((entry for entry in entries if entry_ref(entry) == ref), None)
    if found is None:
        abort(404)
    return found


def _staff_choices(db: Session) -> list[Any]:
    rows = db.execute(
        select(Counselor.key, Counselor.name)
        .where(Counselor.active.is_(True))
        .order_by(Counselor.position)
    ).all()
    return choices((key, f"{name} ({key})") for key, name in rows)


def _removing() -> bool:
    return request.form.get("remove") == "1"


def _parsed(start: str, end: str) -> tuple[datetime, datetime]:
    return datetime.fromisoformat(start), datetime.fromisoformat(end)
