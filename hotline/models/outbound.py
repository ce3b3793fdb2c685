"""Messages that leave the machine (the outbox) and the high-risk alerts that cause most of them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.models.base import Base

# The states a message can still move out of; the claim's partial index covers only these.
OPEN_STATES = ("pending", "sending")
_OPEN = text("state IN ('pending', 'sending')")


class RiskAlert(Base):
    """A call judged high or imminent risk: told to more people, level by level, until someone
    acknowledges it. One per call; lowering the risk cancels it, raising it again reopens it."""

    __tablename__ = "risk_alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), unique=True)
    hotline_id: Mapped[int | None] = mapped_column(ForeignKey("hotlines.id"), index=True)
    risk: Mapped[str] = mapped_column(String(10))
    raised_at: Mapped[datetime]
    level: Mapped[int] = mapped_column(default=0)
    escalated_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    cancelled_at: Mapped[datetime | None]


class OutboxMessage(Base):
    """One message to one address; `key` makes queueing it idempotent.

    pending -> sending (a claim with a lease) -> sent -> delivered, or failed / undeliverable /
    unknown / cancelled. `due_at` is when it may next be sent (retries, budgets, quiet hours).
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_state_created", "state", "created_at"),
        # Partial: the claim reads only open messages, however many sent ones the table holds.
        Index(
            "ix_outbox_open_due",
            "due_at",
            postgresql_where=_OPEN,
            sqlite_where=_OPEN,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(10))
    urgent: Mapped[bool] = mapped_column(default=False, server_default=false())
    recipient_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    recipient_counselor_id: Mapped[int | None] = mapped_column(
        ForeignKey("counselors.id", ondelete="SET NULL")
    )
    address: Mapped[str | None] = mapped_column(String(254))
    hotline_id: Mapped[int | None] = mapped_column(ForeignKey("hotlines.id"), index=True)
    call_id: Mapped[int | None] = mapped_column(
        ForeignKey("calls.id", ondelete="SET NULL"), index=True
    )
    alert_id: Mapped[int | None] = mapped_column(
        ForeignKey("risk_alerts.id", ondelete="SET NULL"), index=True
    )
    shift_confirmation_id: Mapped[int | None] = mapped_column(
        ForeignKey("shift_confirmations.id", ondelete="SET NULL"), index=True
    )
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    due_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    claim: Mapped[str | None] = mapped_column(String(32))
    provider_ref: Mapped[str | None] = mapped_column(String(64), index=True)
    delivery_status: Mapped[str | None] = mapped_column(String(24))
    error: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
