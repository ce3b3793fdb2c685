"""Which lines' follow-up care a person sees: operators and supervisors their lines (none
named: every line), admins every line, counselors the lines whose rota names them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, false, select, true
from sqlalchemy.orm import Session

from hotline.models import Counselor, Hotline, RotaOverride, RotaPattern
from hotline.records.scope import Viewer

STAFF = frozenset({"operator", "supervisor"})


def on_lines(viewer: Viewer, column: Any) -> ColumnElement[bool]:
    """`column` (a line id) is one of the viewer's lines, for operators, supervisors, admins."""
    if viewer.role == "admin" or (viewer.role in STAFF and viewer.line_ids is None):
        return true()
    if viewer.role in STAFF and viewer.line_ids is not None:
        return column.in_(sorted(viewer.line_ids))  # type: ignore[no-any-return]
    return false()


def counselor_lines(session: Session, counselor_id: int | None) -> set[int]:
    """The lines whose rota (a pattern or an override) names this counselor."""
    if counselor_id is None:
        return set()
    key = session.scalar(select(Counselor.key).where(Counselor.id == counselor_id))
    found: set[int] = set()
    for model in (RotaPattern, RotaOverride):
        for line_id, names in session.execute(select(model.hotline_id, model.counselors)):
            if key in (names or []):
                found.add(line_id)
    return found


def lines_of(session: Session, viewer: Viewer) -> list[Hotline]:
    """The lines this viewer's care pages cover, in the configuration's order."""
    query = select(Hotline).order_by(Hotline.position)
    if viewer.role == "counselor":
        mine = counselor_lines(session, viewer.counselor_id)
        return [line for line in session.scalars(query) if line.id in mine]
    return list(session.scalars(query.where(on_lines(viewer, Hotline.id))))
