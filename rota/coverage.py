"""Who is on duty over a window: patterns added up per tier, then overrides, leave and inactivity.

One sweep over the sorted start and end instants of every duty, override and leave.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from rota.localtime import as_utc, to_instant
from rota.model import Gap, LineRota, Segment, Shift, Tiers
from rota.shifts import expand_pattern

_PATTERN, _OVERRIDE, _LEAVE = 0, 1, 2
_INSTANT = timedelta(microseconds=1)

# A span is what one duty, override or leave does while it runs: (kind, tier index from 0, rank,
# counselors). The rank orders spans of one kind: (position in rota.patterns, duty number) for a
# duty, (position in rota.overrides, 0) for an override: lower is earlier.
_Span = tuple[int, int, tuple[int, int], tuple[str, ...]]
_Placed = tuple[datetime, datetime, _Span]  # a span with its UTC start and end
_Event = tuple[datetime, int, _Span]  # (instant, +1 begins / -1 ends, span)


class PlacedRota:
    """`rota` with its overrides and leave converted to UTC once, to resolve many windows fast."""

    def __init__(self, rota: LineRota) -> None:
        self.rota = rota
        self.tier_count = tier_count(rota)
        tz = rota.tz
        placed = [
            _place(o.start, o.end, (_OVERRIDE, o.tier - 1, (n, 0), o.counselors), tz)
            for n, o in enumerate(rota.overrides)
        ]
        placed += (
            _place(leave.start, leave.end, (_LEAVE, 0, (n, 0), (leave.counselor,)), tz)
            for n, leave in enumerate(rota.leave)
        )
        placed.sort(key=lambda item: item[0])
        self._placed = placed
        self._starts = [item[0] for item in placed]
        # How far back from a window's start an overlapping span may begin (empty spans: 0).
        self._longest = max([timedelta(), *(item[1] - item[0] for item in placed)])

    def fixed_spans(self, start: datetime, end: datetime) -> list[_Placed]:
        """The overrides and leave that overlap `[start, end)`, found by bisection."""
        first = bisect_left(self._starts, start - self._longest)
        last = bisect_left(self._starts, end)
        return [item for item in self._placed[first:last] if item[1] > start]


def _place(start: datetime, end: datetime, span: _Span, tz: ZoneInfo) -> _Placed:
    return to_instant(start, tz), to_instant(end, tz), span


def tier_count(rota: LineRota) -> int:
    """The highest tier that any pattern or override of `rota` uses; 0 when there are none."""
    tiers = [pattern.tier for pattern in rota.patterns] + [o.tier for o in rota.overrides]
    if any(tier < 1 for tier in tiers):
        raise ValueError(f"tiers are numbered from 1, got {min(tiers)}")
    return max([*tiers, rota.tiers_at_least], default=0)


def resolve_timeline(rota: LineRota | PlacedRota, start: datetime, end: datetime) -> list[Segment]:
    """Contiguous half-open segments covering exactly `[start, end)`, merged where equal.

    Policy, per tier: the patterns add up, each counselor once, in the order of the first pattern
    (by position in `rota.patterns`) that has them on duty, then their order in its list. An
    override replaces the tier's counselors for its window, even with nobody; among overlapping
    ones the later in `rota.overrides` wins. Leave removes a counselor from every tier, overrides
    included; inactive counselors are never on duty. Every segment has `tier_count(rota)` tiers.
    """
    start, end = as_utc(start), as_utc(end)
    if end <= start:
        return []
    placed = rota if isinstance(rota, PlacedRota) else PlacedRota(rota)
    board = _Board(placed.tier_count, placed.rota.inactive)
    starts: list[datetime] = [start]
    tiers: list[Tiers] = []
    at = start
    for moment, delta, span in _events(placed, start, end):
        if moment != at:
            _close(starts, tiers, at, board.tiers())
            at = moment
        board.apply(span, delta)
    _close(starts, tiers, at, board.tiers())
    return [Segment(s, e, t) for s, e, t in zip(starts, [*starts[1:], end], tiers, strict=True)]


def tiers_at(rota: LineRota | PlacedRota, at: datetime) -> Tiers:
    """The tiers on duty at instant `at` (see `resolve_timeline` for the rules)."""
    return resolve_timeline(rota, at, at + _INSTANT)[0].tiers


def find_gaps(segments: Iterable[Segment]) -> list[Gap]:
    """The merged stretches of `segments` where tier 1 has nobody (also when there are 0 tiers)."""
    gaps: list[Gap] = []
    for segment in segments:
        if segment.tiers and segment.tiers[0]:
            continue
        if gaps and gaps[-1].end == segment.start:
            gaps[-1] = Gap(gaps[-1].start, segment.end)
        else:
            gaps.append(Gap(segment.start, segment.end))
    return gaps


def duty_shifts(segments: Iterable[Segment]) -> list[Shift]:
    """Each counselor's maximal continuous duty per tier, as a calendar shows it, ordered by
    (start, tier, counselor). Shifts are cut at the edges of the segments' window.
    """
    running: dict[tuple[str, int], datetime] = {}
    shifts: list[Shift] = []
    last_end: datetime | None = None
    for segment in segments:
        if last_end is not None and segment.start != last_end:
            _end_shifts(running, set(), last_end, shifts)
        on = {(name, index + 1) for index, names in enumerate(segment.tiers) for name in names}
        _end_shifts(running, on, segment.start, shifts)
        for key in on:
            running.setdefault(key, segment.start)
        last_end = segment.end
    if last_end is not None:
        _end_shifts(running, set(), last_end, shifts)
    return sorted(shifts, key=lambda shift: (shift.start, shift.tier, shift.counselor))


def join_segments(segments: Iterable[Segment]) -> list[Segment]:
    """`segments` with neighbours that meet and have equal tiers merged into one."""
    joined: list[Segment] = []
    for segment in segments:
        last = joined[-1] if joined else None
        if last is not None and last.end == segment.start and last.tiers == segment.tiers:
            joined[-1] = Segment(last.start, segment.end, last.tiers)
        else:
            joined.append(segment)
    return joined


def _close(starts: list[datetime], tiers: list[Tiers], at: datetime, current: Tiers) -> None:
    """Record the tiers in force from `starts[-1]`; a change at `at` opens a new segment."""
    if not tiers:
        tiers.append(current)
    elif current != tiers[-1]:
        starts.append(at)
        tiers.append(current)


def _end_shifts(
    running: dict[tuple[str, int], datetime],
    on: set[tuple[str, int]],
    at: datetime,
    out: list[Shift],
) -> None:
    for key in [key for key in running if key not in on]:
        out.append(Shift(key[0], key[1], running.pop(key), at))


def _events(placed: PlacedRota, start: datetime, end: datetime) -> list[_Event]:
    """The begin and end of every duty, override and leave overlapping the window, clipped."""
    spans: list[_Placed] = placed.fixed_spans(start, end)
    rota = placed.rota
    for position, pattern in enumerate(rota.patterns):
        duties = expand_pattern(pattern, rota.tz, start, end)
        spans += (
            (duty.start, duty.end, (_PATTERN, pattern.tier - 1, (position, n), duty.counselors))
            for n, duty in enumerate(duties)
        )
    events: list[_Event] = []
    for span_start, span_end, span in spans:
        if span_start < end and span_end > start and span_start < span_end:
            events.append((max(span_start, start), 1, span))
            if span_end < end:
                events.append((span_end, -1, span))
    events.sort(key=lambda event: event[0])
    return events


class _Board:
    """The spans running at one instant, and the tiers they make (recomputed only when touched)."""

    def __init__(self, count: int, inactive: frozenset[str]) -> None:
        self.running: tuple[list[dict[tuple[int, int], tuple[str, ...]]], ...] = (
            [{} for _ in range(count)],  # _PATTERN
            [{} for _ in range(count)],  # _OVERRIDE
        )
        self.leave: Counter[str] = Counter()
        self.inactive = inactive
        self.off = set(inactive)
        self.current: list[tuple[str, ...]] = [() for _ in range(count)]
        self.touched: set[int] = set()

    def apply(self, span: _Span, delta: int) -> None:
        kind, tier, rank, counselors = span
        if kind == _LEAVE:
            self._apply_leave(counselors[0], delta)
            return
        running = self.running[kind][tier]
        if delta > 0:
            running[rank] = counselors
        else:
            del running[rank]
        self.touched.add(tier)

    def tiers(self) -> Tiers:
        for tier in self.touched:
            self.current[tier] = self._resolve(tier)
        self.touched.clear()
        return tuple(self.current)

    def _apply_leave(self, counselor: str, delta: int) -> None:
        self.leave[counselor] += delta
        # Overlapping leave of one counselor counts up, so only the first begin and the last
        # end change who is off.
        if self.leave[counselor] == 0:
            del self.leave[counselor]
            if counselor not in self.inactive:
                self.off.discard(counselor)
        elif counselor not in self.off:
            self.off.add(counselor)
        else:
            return
        self.touched.update(range(len(self.current)))

    def _resolve(self, tier: int) -> tuple[str, ...]:
        patterns, overrides = self.running[_PATTERN][tier], self.running[_OVERRIDE][tier]
        if overrides:
            names: Iterable[str] = overrides[max(overrides)]
        else:
            names = [name for rank in sorted(patterns) for name in patterns[rank]]
        return tuple(dict.fromkeys(name for name in names if name not in self.off))
