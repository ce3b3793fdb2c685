"""Figures for the rota core on a large line: tiers_at (warm and cold), gaps, index memory.

Run from the repository root: `.venv/bin/python bench/rota.py`. Pure part only, no database.
"""

from __future__ import annotations

import random
import statistics
import sys
import time as clock
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rota.history import RotaHistory
from rota.index import PreparedIndex
from rota.model import (
    Gap,
    Leave,
    LineRota,
    Override,
    Pattern,
    Period,
    Rotation,
    Tiers,
    Version,
    Weekly,
)

TZ = ZoneInfo("Europe/London")  # a zone with DST, so both changes are inside every year
FIRST_DAY = date(2026, 1, 1)
COUNSELORS = [f"counselor-{n:03d}" for n in range(300)]
SPANS = {"1 month": 31, "3 months": 92, "1 year": 365, "3 years": 1096}
TARGETS = "targets: warm median < 50 us, cold < 5 ms, gaps over a year < 200 ms, memory < 50 MB"


@dataclass(frozen=True)
class Figures:
    segments: int
    warm_median_us: float
    warm_p99_us: float
    cold_median_ms: float
    cold_max_ms: float
    direct_median_ms: float
    gaps_ms: float
    memory_mb: float


def build_rota(rng: random.Random, days: int) -> LineRota:
    """300 counselors, 40 patterns over tiers 1-3, 500 overrides and 300 leaves a year."""
    patterns = [_weekly(rng, n) for n in range(24)] + [_rotation(rng, n) for n in range(16)]
    scale = days / 365
    overrides = [_override(rng, days) for _ in range(round(500 * scale))]
    leave = [_leave(rng, days) for _ in range(round(300 * scale))]
    inactive = frozenset(rng.sample(COUNSELORS, 10))
    return LineRota(TZ, tuple(patterns), tuple(overrides), tuple(leave), inactive)


def _weekly(rng: random.Random, n: int) -> Pattern:
    start, end = [(time(8), time(20)), (time(20), time(8)), (time(9), time(17))][n % 3]
    days = frozenset(rng.sample(range(7), rng.randint(2, 7)))
    return Pattern(1 + n % 3, Weekly(days, start, end), tuple(rng.sample(COUNSELORS, 4)))


def _rotation(rng: random.Random, n: int) -> Pattern:
    every = [Period(1, "d"), Period(12, "h"), Period(8, "h"), Period(7, "d")][n % 4]
    first = datetime.combine(FIRST_DAY, time(8)) - timedelta(days=rng.randint(0, 400))
    shape = Rotation(first, every)
    return Pattern(1 + n % 3, shape, tuple(rng.sample(COUNSELORS, rng.randint(5, 15))))


def _moment(rng: random.Random, days: int) -> datetime:
    day = FIRST_DAY + timedelta(days=rng.randrange(days))
    return datetime.combine(day, time(rng.randrange(24), rng.choice((0, 30))))


def _override(rng: random.Random, days: int) -> Override:
    start = _moment(rng, days)
    end = start + timedelta(hours=rng.randint(2, 48))
    return Override(rng.randint(1, 3), start, end, tuple(rng.sample(COUNSELORS, rng.randint(0, 3))))


def _leave(rng: random.Random, days: int) -> Leave:
    start = _moment(rng, days)
    return Leave(rng.choice(COUNSELORS), start, start + timedelta(days=rng.randint(1, 14)))


def build_versions(rng: random.Random, days: int) -> tuple[list[Version], datetime, datetime]:
    """Four versions saved at even intervals: a quarterly re-plan, each with its own draw."""
    start = datetime.combine(FIRST_DAY, time(), tzinfo=UTC)
    end = start + timedelta(days=days)
    step = (end - start) / 4
    versions = [Version(n + 1, start + n * step, build_rota(rng, days)) for n in range(4)]
    return versions, start, end


def measure(days: int) -> Figures:
    rng = random.Random(days)
    versions, start, end = build_versions(rng, days)
    seconds = int((end - start).total_seconds())
    instants = [start + timedelta(seconds=rng.randrange(seconds)) for _ in range(20_000)]

    cold = [_seconds(_cold_on_duty, versions, at) * 1e3 for at in instants[:30]]
    gaps_ms = _seconds(_cold_gaps, versions, start, end) * 1e3
    history = RotaHistory(versions)
    direct = [_seconds(history.tiers_at, at) * 1e3 for at in instants[:200]]

    tracemalloc.start()
    index = PreparedIndex(RotaHistory(versions))
    segments = len(index.timeline(start, end))
    memory = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()

    warm = sorted(_seconds(index.tiers_at, at) * 1e6 for at in instants)
    return Figures(
        segments=segments,
        warm_median_us=statistics.median(warm),
        warm_p99_us=warm[int(len(warm) * 0.99)],
        cold_median_ms=statistics.median(cold),
        cold_max_ms=max(cold),
        direct_median_ms=statistics.median(direct),
        gaps_ms=gaps_ms,
        memory_mb=memory / 2**20,
    )


def _seconds(work: Callable[..., object], *args: object) -> float:
    began = clock.perf_counter()
    work(*args)
    return clock.perf_counter() - began


def _cold_on_duty(versions: list[Version], at: datetime) -> Tiers:
    return PreparedIndex(RotaHistory(versions)).tiers_at(at)


def _cold_gaps(versions: list[Version], start: datetime, end: datetime) -> list[Gap]:
    return PreparedIndex(RotaHistory(versions)).gaps(start, end)


def main() -> None:
    print("line: 300 counselors, 40 patterns (24 weekly, 16 rotations) over tiers 1-3,")
    print("500 overrides and 300 leaves a year, 10 inactive, 4 versions, Europe/London")
    header = ["rota span", "segments", "warm p50", "warm p99", "cold p50", "cold max"]
    header += ["no index", "gaps all", "index mem"]
    print("{:<10}{:>10}{:>11}{:>11}{:>11}{:>11}{:>11}{:>11}{:>11}".format(*header))
    for label, days in SPANS.items():
        f = measure(days)
        print(
            f"{label:<10}{f.segments:>10}{f.warm_median_us:>9.1f}us{f.warm_p99_us:>9.1f}us"
            f"{f.cold_median_ms:>9.2f}ms{f.cold_max_ms:>9.2f}ms{f.direct_median_ms:>9.2f}ms"
            f"{f.gaps_ms:>9.0f}ms"
            f"{f.memory_mb:>9.1f}MB"
        )
    print(TARGETS)
    print("warm = tiers_at at a random instant from an index holding the whole span;")
    print("cold = RotaHistory(versions) + PreparedIndex + first tiers_at (resolves one UTC week);")
    print("no index = RotaHistory.tiers_at, p50; gaps all = a new index, gaps over the whole span;")
    print("index mem = tracemalloc of a new history and index once the whole span is loaded")


if __name__ == "__main__":
    main()
