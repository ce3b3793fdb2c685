"""The shifts that start soon on every line, from the rota versions in force."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Hotline
from hotline.rota_versions import load_history
from rota.coverage import duty_shifts
from rota.history import RotaHistory
from rota.model import Shift

# How far past a window the rota is read to find where its shifts end: a day is enough for
# most shifts, a week for weekly rotations; a shift still on at the last is open-ended.
_LOOK_AHEAD = (timedelta(days=1), timedelta(days=8), timedelta(days=36))


@dataclass(frozen=True, slots=True)
class LineShift:
    """One counselor's shift on a line and tier, `[start, end)` in UTC. `open_ended`: it runs
    further than the rota was read, and `end` is only as far as that."""

    line: Hotline
    counselor: str
    tier: int
    start: datetime
    end: datetime
    open_ended: bool = False


def upcoming_shifts(session: Session, after: datetime, until: datetime) -> list[LineShift]:
    """Every line's shifts that start in `(after, until]`, by line position then start.

    A counselor already on duty at `after` has no start in the window (a 24/7 pattern is one
    endless shift), so nothing is said about it.
    """
    found: list[LineShift] = []
    for line in session.scalars(select(Hotline).order_by(Hotline.position)):
        history = load_history(session, line.id)
        found += (
            LineShift(line, s.counselor, s.tier, s.start, s.end, open_ended=s.end >= edge)
            for s, edge in starting_shifts(history, after, until)
        )
    return found


def starting_shifts(
    history: RotaHistory, after: datetime, until: datetime
) -> list[tuple[Shift, datetime]]:
    """The shifts of one line starting in `(after, until]`, each with the edge up to which the
    rota was read (a shift ending there is cut by it)."""
    for ahead in _LOOK_AHEAD:
        edge = until + ahead
        # The window opens at `after`: a shift already running there comes out starting at
        # `after`, cut, and the strict `>` leaves it out.
        shifts = [s for s in duty_shifts(history.timeline(after, edge)) if after < s.start <= until]
        if all(shift.end < edge for shift in shifts):
            break
    return [(shift, edge) for shift in shifts]
