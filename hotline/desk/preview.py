"""The effect of an edit before it is saved: whose shifts change, which gaps open or close,
which coverage rules break or mend.

The rota after the edit is the one the import itself would write (the edit is written inside a
savepoint and rolled back, see `web.rota_desk`); here it is compared with the rota in force,
as a new version saved `now`: the past never changes, so only `[now, ...)` is looked at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from hotline.desk.versions import VERSIONS
from hotline.models import Hotline
from hotline.rota_rules import line_facts, line_rules, staff_qualifications
from rota.coverage import PlacedRota, duty_shifts, find_gaps, join_segments, resolve_timeline
from rota.localtime import to_instant
from rota.model import Gap, LineRota, Segment, Shift
from rota.rule_checks import Timeline
from rota.rules import Violation, check_rules, scan_window
from rota.service_hours import gaps_in_service

MARGIN = timedelta(hours=12)  # shifts just around the edit, to show what it borders on
LONGEST = timedelta(days=62)  # a longer edit (a year of leave) is previewed over this much
Span = tuple[datetime, datetime]


@dataclass(slots=True)
class Effect:
    """What an edit does to one line over `[start, end)`."""

    line: str
    name: str
    timezone: str
    start: datetime
    end: datetime
    cut: bool = False  # the edit runs past `end`: only its first LONGEST are shown
    removed: list[Shift] = field(default_factory=list)
    added: list[Shift] = field(default_factory=list)
    gaps_opened: list[Span] = field(default_factory=list)
    gaps_closed: list[Span] = field(default_factory=list)
    broken: list[Violation] = field(default_factory=list)
    mended: list[Violation] = field(default_factory=list)

    @property
    def changes_nothing(self) -> bool:
        return not (self.removed or self.added or self.gaps_opened or self.gaps_closed
                    or self.broken or self.mended)  # fmt: skip


def edit_window(
    moments: list[tuple[datetime, datetime]], tz: ZoneInfo, now: datetime
) -> tuple[datetime, datetime, bool] | None:
    """The stretch to look at for entries spanning `moments` (local or aware): from now on
    only; None when all of it is past. The bool: cut at LONGEST."""
    placed = [(to_instant(a, tz), to_instant(b, tz)) for a, b in moments]
    start = max(now, min(a for a, _ in placed) - MARGIN)
    end = max(b for _, b in placed) + MARGIN
    if end <= start:
        return None
    cut = end - start > LONGEST
    return start, min(end, start + LONGEST), cut


def line_effect(
    session: Session,
    line: Hotline,
    after: LineRota,
    window: tuple[datetime, datetime, bool],
    now: datetime,
) -> Effect:
    """Compare the versions in force with them plus `after` saved at `now`."""
    start, end, cut = window
    tz = ZoneInfo(line.timezone)
    rules = line_rules(line)
    facts = line_facts(line, staff_qualifications(session) if rules.qualified else {})
    first = min(start, scan_window(rules, tz, start, end)[0]) if not rules.is_empty else start
    before = VERSIONS.index_from(session, line.id, first)
    changed = Spliced(before, PlacedRota(after), now)
    effect = Effect(line.key, line.name, line.timezone, start, end, cut)
    old, new = before.timeline(start, end), changed.timeline(start, end)
    old_duty, new_duty = _duty(old), _duty(new)
    effect.removed = _changed(old_duty, new_duty)
    effect.added = _changed(new_duty, old_duty)
    hours = facts.service_hours
    old_gaps = _spans(gaps_in_service(find_gaps(old), hours, tz, start, end))
    new_gaps = _spans(gaps_in_service(find_gaps(new), hours, tz, start, end))
    effect.gaps_opened = subtract(new_gaps, old_gaps)
    effect.gaps_closed = subtract(old_gaps, new_gaps)
    if not rules.is_empty:
        was = check_rules(rules, before, facts, start, end)
        will = check_rules(rules, changed, facts, start, end)
        effect.broken = [v for v in will if v not in set(was)]
        effect.mended = [v for v in was if v not in set(will)]
    return effect


class Spliced:
    """The timeline of `before` up to `now`, then of `after` (saved at `now`): as the versions
    would answer with `after` appended, without placing the older versions again."""

    def __init__(self, before: Timeline, after: PlacedRota, now: datetime) -> None:
        self.before, self.after, self.now = before, after, now

    def timeline(self, start: datetime, end: datetime) -> list[Segment]:
        pieces = []
        if start < self.now:
            pieces += self.before.timeline(start, min(end, self.now))
        if end > self.now:
            pieces += resolve_timeline(self.after, max(start, self.now), end)
        return join_segments(pieces)


def subtract(spans: list[Span], minus: list[Span]) -> list[Span]:
    """The parts of sorted, disjoint `spans` outside sorted, disjoint `minus`."""
    found: list[Span] = []
    for lo, hi in spans:
        at = lo
        for cut_lo, cut_hi in minus:
            if cut_hi <= at or cut_lo >= hi:
                continue
            if cut_lo > at:
                found.append((at, cut_lo))
            at = max(at, cut_hi)
        if at < hi:
            found.append((at, hi))
    return found


def _duty(segments: list[Segment]) -> dict[tuple[str, int], list[Span]]:
    """Each (counselor, tier)'s stretches on duty, in order."""
    found: dict[tuple[str, int], list[Span]] = {}
    for shift in duty_shifts(segments):
        found.setdefault((shift.counselor, shift.tier), []).append((shift.start, shift.end))
    return found


def _changed(
    duty: dict[tuple[str, int], list[Span]], other: dict[tuple[str, int], list[Span]]
) -> list[Shift]:
    """The stretches of `duty` that `other` does not have: who goes off (or on) duty, when."""
    found = [
        Shift(counselor, tier, lo, hi)
        for (counselor, tier), spans in duty.items()
        for lo, hi in subtract(spans, other.get((counselor, tier), []))
    ]
    return sorted(found, key=_order)


def _spans(gaps: list[Gap]) -> list[Span]:
    return [(gap.start, gap.end) for gap in gaps]


def _order(shift: Shift) -> tuple[datetime, int, str]:
    return shift.start, shift.tier, shift.counselor
