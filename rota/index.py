"""A per-process prepared index over a rota history: `tiers_at` by bisection in cached chunks."""

from __future__ import annotations

import threading
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rota import coverage
from rota.history import RotaHistory
from rota.localtime import as_utc
from rota.model import Gap, Segment, Tiers

_EPOCH = datetime(2000, 1, 3, tzinfo=UTC)  # a Monday: chunks are weeks from Monday 00:00 UTC
_WEEK = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class _Chunk:
    """One stretch of UTC time resolved: `tiers[i]` holds from `starts[i]` to the next start."""

    start: datetime
    end: datetime
    starts: list[datetime]
    tiers: list[Tiers]


class PreparedIndex:
    """Answers `tiers_at`/`timeline`/`gaps` like its `RotaHistory`, from cached chunks of time.

    A chunk (a UTC week by default: small, so the first question costs little) is resolved on
    first use and kept, at most `max_chunks` of them (the oldest loaded goes first); equal tiers
    are stored once. Safe to share between the threads of one process.
    """

    def __init__(
        self, history: RotaHistory, chunk_length: timedelta = _WEEK, max_chunks: int = 160
    ) -> None:
        self.history = history
        self.chunk_length = chunk_length
        self.max_chunks = max_chunks
        self._chunks: dict[int, _Chunk] = {}
        self._interned: dict[Tiers, Tiers] = {}
        self._lock = threading.Lock()

    def tiers_at(self, at: datetime) -> Tiers:
        at = as_utc(at)
        chunk = self._chunk((at - _EPOCH) // self.chunk_length)
        return chunk.tiers[bisect_right(chunk.starts, at) - 1]

    def timeline(self, start: datetime, end: datetime) -> list[Segment]:
        """Segments covering `[start, end)`, as `RotaHistory.timeline` gives them."""
        start, end = as_utc(start), as_utc(end)
        segments: list[Segment] = []
        key = (start - _EPOCH) // self.chunk_length
        while start < end:
            chunk = self._chunk(key)
            first = bisect_right(chunk.starts, start) - 1
            for index in range(first, len(chunk.starts)):
                piece_start = max(chunk.starts[index], start)
                if piece_start >= end:
                    break
                piece_end = chunk.starts[index + 1] if index + 1 < len(chunk.starts) else chunk.end
                segments.append(Segment(piece_start, min(piece_end, end), chunk.tiers[index]))
            start, key = chunk.end, key + 1
        return coverage.join_segments(segments)

    def gaps(self, start: datetime, end: datetime) -> list[Gap]:
        """Where tier 1 has nobody within `[start, end)`: merged across chunks, clipped, UTC."""
        return coverage.find_gaps(self.timeline(start, end))

    def _chunk(self, key: int) -> _Chunk:
        chunk = self._chunks.get(key)
        if chunk is not None:
            return chunk
        with self._lock:
            chunk = self._chunks.get(key)
            if chunk is None:
                chunk = self._resolve(key)
                while len(self._chunks) >= self.max_chunks:
                    del self._chunks[next(iter(self._chunks))]
                self._chunks[key] = chunk
            return chunk

    def _resolve(self, key: int) -> _Chunk:
        start = _EPOCH + key * self.chunk_length
        end = start + self.chunk_length
        segments = self.history.timeline(start, end)
        starts = [segment.start for segment in segments]
        tiers = [self._interned.setdefault(segment.tiers, segment.tiers) for segment in segments]
        return _Chunk(start, end, starts, tiers)
