"""A line's rota versions over time: each question is answered by the version in force then."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from datetime import datetime

from rota import coverage
from rota.localtime import as_utc
from rota.model import Gap, Segment, Tiers, Version


class RotaHistory:
    """The versions of one line's rota, in force from their `saved_at` on.

    The version in force at `at` is the latest with `saved_at <= at` (on a tie of `saved_at`, the
    higher `number`). Before the first version nobody is on duty: 0 tiers, a gap. So an edit
    never changes the past.
    """

    def __init__(self, versions: Sequence[Version]) -> None:
        for version in versions:
            if version.saved_at.tzinfo is None:
                raise ValueError(f"version {version.number} has a naive saved_at")
        self.versions = tuple(sorted(versions, key=lambda v: (v.saved_at, v.number)))
        self._saved = [version.saved_at for version in self.versions]
        # Placed on first use: converting every version's overrides up front would make a
        # history of many versions slow to open for one question about today.
        self._placed: dict[int, coverage.PlacedRota] = {}

    def version_at(self, at: datetime) -> Version | None:
        """The version in force at `at`; None before the first one."""
        index = bisect_right(self._saved, as_utc(at)) - 1
        return self.versions[index] if index >= 0 else None

    def tiers_at(self, at: datetime) -> Tiers:
        version = self.version_at(at)
        return coverage.tiers_at(self._placed_rota(version), at) if version is not None else ()

    def tier_count_at(self, at: datetime) -> int:
        version = self.version_at(at)
        return self._placed_rota(version).tier_count if version is not None else 0

    def timeline(self, start: datetime, end: datetime) -> list[Segment]:
        """Segments covering `[start, end)`; each stretch is resolved by the version in force."""
        start, end = as_utc(start), as_utc(end)
        pieces: list[Segment] = []
        for piece_start, piece_end, version in self._pieces(start, end):
            if version is None:
                pieces.append(Segment(piece_start, piece_end, ()))
            else:
                placed = self._placed_rota(version)
                pieces.extend(coverage.resolve_timeline(placed, piece_start, piece_end))
        return coverage.join_segments(pieces)

    def gaps(self, start: datetime, end: datetime) -> list[Gap]:
        """Where tier 1 has nobody within `[start, end)`: merged, half-open, clipped, UTC."""
        return coverage.find_gaps(self.timeline(start, end))

    def _placed_rota(self, version: Version) -> coverage.PlacedRota:
        placed = self._placed.get(id(version))
        if placed is None:
            placed = self._placed[id(version)] = coverage.PlacedRota(version.rota)
        return placed

    def _pieces(
        self, start: datetime, end: datetime
    ) -> list[tuple[datetime, datetime, Version | None]]:
        """`[start, end)` cut at every `saved_at` inside it, each piece with its version."""
        first = bisect_right(self._saved, start)
        cuts = [start, *(at for at in self._saved[first:] if at < end), end]
        versions = [self.version_at(start), *self.versions[first:]]
        return [
            (piece_start, piece_end, version)
            for piece_start, piece_end, version in zip(cuts, cuts[1:], versions, strict=False)
            if piece_start < piece_end
        ]
