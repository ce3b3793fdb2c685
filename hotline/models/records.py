"""What the counselor recorded about a call."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.models.base import Base
from hotline.models.calls import Call


class CallOutcome(Base):
    """The counselor's record of a call: one per call, editable by the counselor who took it."""

    __tablename__ = "call_outcomes"
    __table_args__ = (
        Index("ix_call_outcomes_risk", "risk"),
        Index("ix_call_outcomes_call_type", "call_type"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), unique=True)
    counselor_id: Mapped[int | None] = mapped_column(ForeignKey("counselors.id"))
    call_type: Mapped[str] = mapped_column(String(16))
    topics: Mapped[list[str]]
    risk: Mapped[str] = mapped_column(String(10))
    actions: Mapped[list[str]]
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="SET NULL"))
    caller_type: Mapped[str | None] = mapped_column(String(10))
    age_band: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    flagged: Mapped[bool] = mapped_column(default=False)
    recorded_at: Mapped[datetime]
    updated_at: Mapped[datetime]


# Indexes on the routing work's `calls` table that the call log, repeat count and export need.
Index("ix_calls_arrived_at", Call.arrived_at)
# Partial: these columns are empty when a call arrives, so a new call writes none of these
# indexes (routing's hot path); a query comparing the column to a value still uses them.
for _name, _column in (
    ("ix_calls_caller_link_arrived", Call.caller_link),
    ("ix_calls_answered_by_arrived", Call.answered_by_id),
    ("ix_calls_answered_line_arrived", Call.answered_line_id),
):
    _set = _column.is_not(None)
    Index(_name, _column, Call.arrived_at, postgresql_where=_set, sqlite_where=_set)
