"""A shift's confirmation (asked near its start, given by one click or one text reply), and the
count of texts from unknown numbers (a count only: nothing about the sender is kept)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.models.base import Base


class ShiftConfirmation(Base):
    """One counselor's shift on one line and tier, starting at `start`: asked, confirmed, and
    whether the operators were told it was not confirmed in time."""

    __tablename__ = "shift_confirmations"
    __table_args__ = (UniqueConstraint("hotline_id", "counselor_id", "tier", "start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hotline_id: Mapped[int] = mapped_column(ForeignKey("hotlines.id", ondelete="CASCADE"))
    counselor_id: Mapped[int] = mapped_column(
        ForeignKey("counselors.id", ondelete="CASCADE"), index=True
    )
    tier: Mapped[int]
    start: Mapped[datetime]
    end: Mapped[datetime]
    asked_at: Mapped[datetime]
    confirmed_at: Mapped[datetime | None]
    confirmed_via: Mapped[str | None] = mapped_column(String(8))  # web or sms
    escalated_at: Mapped[datetime | None]


class InboundTextCount(Base):
    """Texts to a line's number from numbers that are nobody's on the staff, per local day."""

    __tablename__ = "inbound_text_counts"
    __table_args__ = (UniqueConstraint("hotline_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hotline_id: Mapped[int | None] = mapped_column(ForeignKey("hotlines.id", ondelete="CASCADE"))
    day: Mapped[date]
    count: Mapped[int] = mapped_column(default=0)
