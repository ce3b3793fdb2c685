"""Calls and their attempts: what happened, never who called (the caller is a pseudonym)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.models.base import Base


class Call(Base):
    """One inbound call, keyed by Twilio's `CallSid`; exactly one row per call.

    `plan` is the attempt plan built from the rota versions in force when the call arrived;
    (`dial_step`, `dial_round`) names the dial now outstanding, so a repeated or stale Twilio
    request is recognized and answered again without ringing anyone twice.
    """

    __tablename__ = "calls"
    __table_args__ = (
        Index("ix_calls_hotline_arrived", "hotline_id", "arrived_at"),
        Index("ix_calls_caller_arrived", "caller", "arrived_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_sid: Mapped[str] = mapped_column(String(64), unique=True)
    hotline_id: Mapped[int | None] = mapped_column(ForeignKey("hotlines.id"))
    caller: Mapped[str] = mapped_column(String(40))
    caller_link: Mapped[str | None] = mapped_column(String(40))
    arrived_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))
    status_sequence: Mapped[int | None]
    duration_seconds: Mapped[int | None]
    result: Mapped[str] = mapped_column(String(16))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("counselors.id"))
    answered_line_id: Mapped[int | None] = mapped_column(ForeignKey("hotlines.id"))
    rota_version: Mapped[int | None]
    plan: Mapped[list[dict[str, Any]]]
    dial_step: Mapped[int | None]
    dial_round: Mapped[int | None]


class CallAttempt(Base):
    """One counselor (or the fallback number) rung for a call, and how it ended."""

    __tablename__ = "call_attempts"
    __table_args__ = (UniqueConstraint("call_id", "step", "round", "target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Found by the unique key below, which begins with it.
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    step: Mapped[int]
    round: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    hotline_id: Mapped[int | None] = mapped_column(ForeignKey("hotlines.id"))
    tier: Mapped[int | None]
    # The counselor's key, or `fallback` for the fallback number.
    target: Mapped[str] = mapped_column(String(64))
    counselor_id: Mapped[int | None] = mapped_column(ForeignKey("counselors.id"))
    rota_version: Mapped[int | None]
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    result: Mapped[str | None] = mapped_column(String(16))
    dial_call_sid: Mapped[str | None] = mapped_column(String(64))
