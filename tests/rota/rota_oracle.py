"""A deliberately naive reading of the rota rules, one instant at a time, straight from zoneinfo.

It imports nothing of the rota core but its data types, so a bug there cannot hide here too.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from rota.model import LineRota, Pattern, Rotation, Tiers, Weekly


def instant(moment: datetime, tz: ZoneInfo) -> datetime:
    """The textbook PEP 495 reading: fold=0 puts a gap time after the gap, a repeated time first."""
    if moment.tzinfo is not None:
        return moment.astimezone(UTC)
    return moment.replace(tzinfo=tz, fold=0).astimezone(UTC)


def midnight(day: date, tz: ZoneInfo) -> datetime:
    return instant(datetime.combine(day, time()), tz)


class Oracle:
    """Who is on duty at one instant, asked afresh for every instant."""

    def __init__(self, rota: LineRota, horizon: datetime) -> None:
        self.rota = rota
        self.tz = rota.tz
        # Every hand-over of every rotation up to `horizon`, counted one by one from the first.
        self.handovers = [self._handovers(p, horizon) for p in rota.patterns]

    def tiers_at(self, at: datetime) -> Tiers:
        used = [p.tier for p in self.rota.patterns] + [o.tier for o in self.rota.overrides]
        off = set(self.rota.inactive) | {
            leave.counselor
            for leave in self.rota.leave
            if instant(leave.start, self.tz) <= at < instant(leave.end, self.tz)
        }
        tiers = []
        for tier in range(1, max(used, default=0) + 1):
            names = self._from_patterns(tier, at)
            for override in self.rota.overrides:
                begins, ends = instant(override.start, self.tz), instant(override.end, self.tz)
                if override.tier == tier and begins <= at < ends:
                    names = list(override.counselors)  # a later override overwrites an earlier
            on_duty: list[str] = []
            for name in names:
                if name not in off and name not in on_duty:
                    on_duty.append(name)
            tiers.append(tuple(on_duty))
        return tuple(tiers)

    def _from_patterns(self, tier: int, at: datetime) -> list[str]:
        names: list[str] = []
        for pattern, handovers in zip(self.rota.patterns, self.handovers, strict=True):
            if pattern.tier != tier:
                continue
            if isinstance(pattern.shape, Weekly):
                on = (
                    list(pattern.counselors)
                    if self._slot_covers(pattern, pattern.shape, at)
                    else []
                )
            else:
                on = self._rotation_names(pattern, handovers, at)
            names += on
        return names

    def _slot_covers(self, pattern: Pattern, shape: Weekly, at: datetime) -> bool:
        """Does the slot that started on local day D or D-1 cover `at`?"""
        today = at.astimezone(self.tz).date()
        for day in (today, today - timedelta(days=1)):
            if day.weekday() not in shape.days:
                continue
            if pattern.valid_from is not None and day < pattern.valid_from:
                continue
            if pattern.valid_until is not None and day > pattern.valid_until:
                continue
            end_day = day + timedelta(days=1) if shape.end <= shape.start else day
            begins = instant(datetime.combine(day, shape.start), self.tz)
            ends = instant(datetime.combine(end_day, shape.end), self.tz)
            if begins <= at < ends:
                return True
        return False

    def _rotation_names(
        self, pattern: Pattern, handovers: list[datetime], at: datetime
    ) -> list[str]:
        if not handovers or not pattern.counselors or at < handovers[0]:
            return []
        if pattern.valid_from is not None and at < midnight(pattern.valid_from, self.tz):
            return []
        if pattern.valid_until is not None:
            if at >= midnight(pattern.valid_until + timedelta(days=1), self.tz):
                return []
        turn = bisect_right(handovers, at) - 1
        return [pattern.counselors[turn % len(pattern.counselors)]]

    def _handovers(self, pattern: Pattern, horizon: datetime) -> list[datetime]:
        if not isinstance(pattern.shape, Rotation):
            return []
        shape = pattern.shape
        found: list[datetime] = []
        turn = 0
        while not found or found[-1] <= horizon:
            if shape.every.unit == "h":
                found.append(
                    instant(shape.start, self.tz) + timedelta(hours=turn * shape.every.amount)
                )
            else:
                wall = shape.start + timedelta(days=turn * shape.every.amount)
                found.append(instant(wall, self.tz))
            turn += 1
        return found
