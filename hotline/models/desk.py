"""The rota desk's own rows: wall screens signed in with a board code, calendar feeds, and
shift swaps.

Neither keeps a secret: a board code and a feed's URL are kept as SHA-256 digests (they are
random, 192 bits, so a plain digest cannot be searched back), and revoking keeps the row so
the audit log's entries still name it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.models.base import Base


class BoardScreen(Base):
    """A wall screen: its code signs a browser in to the board of one line (None: all lines)
    and to nothing else."""

    __tablename__ = "board_screens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    hotline_id: Mapped[int | None] = mapped_column(ForeignKey("hotlines.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class CalendarFeed(Base):
    """A secret iCal URL of one counselor's shifts or of one line's rota. The URL's token is
    derived from the session key and this row (see `hotline.desk.feeds`), so the counselor
    finds it again on their account page; a new generation makes the old URL dead."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    counselor_id: Mapped[int | None] = mapped_column(
        ForeignKey("counselors.id", ondelete="CASCADE"), index=True
    )
    hotline_id: Mapped[int | None] = mapped_column(
        ForeignKey("hotlines.id", ondelete="CASCADE"), index=True
    )
    generation: Mapped[int] = mapped_column(default=1)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


SWAP_STATES = ("offered", "accepted", "approved", "declined", "withdrawn", "expired")
OPEN_SWAP_STATES = ("offered", "accepted")


class ShiftSwap(Base):
    """A counselor's shift offered to a colleague (`offered_to`) or to anyone qualified (None),
    taken (`taken_by`) and approved by an operator or by the line's `auto_approve_swaps`.
    The shift is named by line, tier and its UTC span as the rota resolved it when offered;
    approving writes an override (`override_key`) through the desk's writer."""

    __tablename__ = "shift_swaps"
    __table_args__ = (
        # One open offer per shift: a second one waits until the first is settled.
        Index(
            "uq_shift_swaps_open",
            "hotline_id",
            "tier",
            "start",
            "offered_by",
            unique=True,
            sqlite_where=text("state IN ('offered', 'accepted')"),
            postgresql_where=text("state IN ('offered', 'accepted')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hotline_id: Mapped[int] = mapped_column(
        ForeignKey("hotlines.id", ondelete="CASCADE"), index=True
    )
    tier: Mapped[int]
    start: Mapped[datetime] = mapped_column(index=True)
    end: Mapped[datetime]
    offered_by: Mapped[int] = mapped_column(ForeignKey("counselors.id", ondelete="CASCADE"))
    offered_to: Mapped[int | None] = mapped_column(ForeignKey("counselors.id", ondelete="CASCADE"))
    taken_by: Mapped[int | None] = mapped_column(ForeignKey("counselors.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    changed_at: Mapped[datetime]
    decided_by: Mapped[str | None] = mapped_column(String(64), default=None)
    override_key: Mapped[str | None] = mapped_column(String(64), default=None)
