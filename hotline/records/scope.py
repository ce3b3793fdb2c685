"""Who is looking: the data-level half of access control (deny by default, per record)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, true

from hotline.models import Call


@dataclass(frozen=True, slots=True)
class Viewer:
    """A signed-in person as the record services see them. `line_ids` None: every line."""

    username: str
    role: str
    counselor_id: int | None = None
    line_ids: frozenset[int] | None = None

    @property
    def sees_every_line(self) -> bool:
        return self.role == "admin" or (self.role == "supervisor" and self.line_ids is None)


def visible_calls(viewer: Viewer) -> ColumnElement[bool]:
    """The calls this viewer may see: a counselor their own, a supervisor their lines' calls
    (those that arrived on them or were answered on them after an overflow).
    """
    if viewer.sees_every_line:
        return true()
    if viewer.role == "supervisor" and viewer.line_ids is not None:
        lines = sorted(viewer.line_ids)
        return or_(Call.hotline_id.in_(lines), Call.answered_line_id.in_(lines))
    if viewer.role == "counselor" and viewer.counselor_id is not None:
        return Call.answered_by_id == viewer.counselor_id
    return false()
