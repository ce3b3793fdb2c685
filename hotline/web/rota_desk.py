"""The rota desk's calendar: a line's week or month, with its overrides and leave listed to be
edited (operators and administrators; supervisors read)."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from hotline import clock
from hotline.desk.calendar_view import MONTH, WEEK, line_calendar
from hotline.desk.edits import entry_ref, line_overrides, staff_leave
from hotline.models import Counselor, Hotline
from hotline.rota_versions import line_rota
from hotline.web import labels
from hotline.web.access import OPERATIONS
from hotline.web.context import database, viewer
from hotline.web.desk_forms import RULES

rota_desk = Blueprint("rota_desk", __name__, url_prefix="/rota")


@rota_desk.get("")
def lines() -> str:
    with database().read() as db:
        shown = [(line.key, line.name) for line in lines_in_scope(db)]
    return render_template("rota_lines.html", lines=shown)


@rota_desk.get("/calendar")
def calendar() -> str | Response:
    with database().read() as db:
        line = line_in_scope(db, request.args.get("line", ""))
        if line is None:
            return redirect(url_for("rota_desk.lines"))
        view = WEEK if request.args.get("view") == WEEK else MONTH
        today = clock.now().astimezone(ZoneInfo(line.timezone)).date()
        day = _day(request.args.get("day"), today)
        found = line_calendar(db, line, view, day)
        first, last = found.days[0].day.isoformat(), found.days[-1].day.isoformat()
        overrides = [(entry_ref(o), o) for o in line_overrides(db, line) if _within(o, first, last)]
        leave = _leave_of(db, found.counselors, first, last)
        names = {key: name for key, name in db.execute(select(Counselor.key, Counselor.name))}
    return render_template(
        "rota_calendar.html", cal=found, today=today, overrides=overrides, leave=leave,
        rules=RULES, weekdays=list(labels.WEEKDAYS_BY_NUMBER.values()), names=names,
        can_edit=viewer().role in OPERATIONS,
    )  # fmt: skip


def lines_in_scope(db: Session) -> list[Hotline]:
    query = select(Hotline).order_by(Hotline.position)
    scope = viewer().line_ids
    if scope is not None:
        query = query.where(Hotline.id.in_(sorted(scope)))
    return list(db.scalars(query))


def line_in_scope(db: Session, key: str) -> Hotline | None:
    line = db.scalar(select(Hotline).where(Hotline.key == key))
    scope = viewer().line_ids
    if line is None or (scope is not None and line.id not in scope):
        return None
    return line


def counselor_in_scope(db: Session, key: str) -> Counselor | None:
    """A counselor whom one of the viewer's lines has on its rota (any, for an unscoped one)."""
    person = db.scalar(select(Counselor).where(Counselor.key == key))
    if person is None or viewer().line_ids is None:
        return person
    for line in lines_in_scope(db):
        rota = line_rota(db, line)
        names = {n for p in rota.patterns for n in p.counselors}
        names |= {n for o in rota.overrides for n in o.counselors}
        if key in names:
            return person
    return None


def _leave_of(
    db: Session, keys: frozenset[str], first: str, last: str
) -> list[tuple[str, str, dict[str, str]]]:
    """(counselor's name, ref, entry) of the leave of these counselors within the days shown."""
    names = dict(db.execute(select(Counselor.key, Counselor.name)).all())
    return [
        (names.get(v["counselor"], v["counselor"]), entry_ref(v), v)
        for v in staff_leave(db, sorted(keys))
        if _within(v, first, last)
    ]


def _within(entry: dict[str, Any], first: str, last: str) -> bool:
    """Whether an entry's written dates touch the days shown (ISO dates compare as text, and
    no offset moves a moment by a whole day)."""
    return str(entry["start"])[:10] <= last and str(entry["end"])[:10] >= first


def _day(text: str | None, today: date) -> date:
    if not text:
        return today
    try:
        day = date.fromisoformat(text)
    except ValueError:
        abort(400)
    if not date(2000, 1, 1) <= day <= date(2099, 12, 31):
        abort(400)
    return day
