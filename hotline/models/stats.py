"""Roll-ups of the statistics: each line's settled local days, counted once by the
`stats-rollup` job from the raw rows (`hotline.records.rollups`), so a year is read in a few
hundred rows per figure instead of every call. Nothing here is written on the call path.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.models.base import Base


class StatsDay(Base):
    """A local day of a line whose roll-up rows are complete, counted in `zone` (the line's
    zone then: a day counted in another zone is read from the raw rows until counted again)."""

    __tablename__ = "stats_days"

    hotline_id: Mapped[int] = mapped_column(
        ForeignKey("hotlines.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[str] = mapped_column(String(10), primary_key=True)  # YYYY-MM-DD, local
    zone: Mapped[str] = mapped_column(String(64))
    rolled_at: Mapped[datetime]


class StatsHour(Base):
    """Calls and calls taken per local hour stamp (`YYYY-MM-DD HH D`): the series, the heatmap."""

    __tablename__ = "stats_hours"

    hotline_id: Mapped[int] = mapped_column(
        ForeignKey("hotlines.id", ondelete="CASCADE"), primary_key=True
    )
    stamp: Mapped[str] = mapped_column(String(16), primary_key=True)
    calls: Mapped[int]
    taken: Mapped[int]


class StatsTally(Base):
    """One count of a line's local day: (`kind`, `key`) -> `n` calls, and `seconds` summed where
    the kind has a duration (talk time). Kinds: `hotline.records.rollups`."""

    __tablename__ = "stats_tallies"

    hotline_id: Mapped[int] = mapped_column(
        ForeignKey("hotlines.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
    seconds: Mapped[float] = mapped_column(default=0.0)


class StatsMark(Base):
    """Where the roll-up job's last run got to: the newest call and attempt ids and outcome
    change it had seen (one row)."""

    __tablename__ = "stats_marks"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(BigInteger, default=0)
    attempt_id: Mapped[int] = mapped_column(BigInteger, default=0)
    outcome_at: Mapped[datetime | None]


class StatsMonth(Base):
    """The tallies of a line's local month (`YYYY-MM`) whose every day is rolled up in one zone:
    the sums of its days' `StatsTally` rows, kept in the same transaction as they are."""

    __tablename__ = "stats_months"

    hotline_id: Mapped[int] = mapped_column(
        ForeignKey("hotlines.id", ondelete="CASCADE"), primary_key=True
    )
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger)
    seconds: Mapped[float] = mapped_column(default=0.0)
