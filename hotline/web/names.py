"""Lines and counselors as people read them: by name. The record services hand out keys
(an export carries keys and codes only); the pages turn them into names here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Counselor, Hotline


@dataclass(frozen=True, slots=True)
class Names:
    """Names by key; a key without a name (a line since removed) shows as itself."""

    lines: dict[str, str] = field(default_factory=dict)
    counselors: dict[str, str] = field(default_factory=dict)

    def line(self, key: str | None) -> str:
        return self.lines.get(key, key) if key else "—"

    def counselor(self, key: str | None) -> str:
        return self.counselors.get(key, key) if key else "—"


def names(db: Session, *, counselors: Iterable[str | None] = ()) -> Names:
    """Every line's name, and the names of these counselors."""
    lines = {key: name for key, name in db.execute(select(Hotline.key, Hotline.name))}
    keys = sorted({key for key in counselors if key})
    people: dict[str, str] = {}
    if keys:
        found = db.execute(select(Counselor.key, Counselor.name).where(Counselor.key.in_(keys)))
        people = {key: name for key, name in found}
    return Names(lines, people)
