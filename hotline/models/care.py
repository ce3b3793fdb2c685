"""Follow-up care: counseling sessions and their bookings, referrals to partners with their
history, and the student cases of school lines."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.models.base import Base

_OPEN_SESSION = text("cancelled_at IS NULL")


class CarePattern(Base):
    """A weekly shape of sessions, published as the sessions it makes (one row per session)."""

    __tablename__ = "care_patterns"

    id: Mapped[int] = mapped_column(primary_key=True)
    hotline_id: Mapped[int] = mapped_column(ForeignKey("hotlines.id"), index=True)
    place: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200))
    days: Mapped[list[str]]
    wall: Mapped[str] = mapped_column(String(5))  # "HH:MM", local to the line
    minutes: Mapped[int]
    capacity: Mapped[int]
    first_day: Mapped[date]
    last_day: Mapped[date]
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(String(64))


class CareSession(Base):
    """A counseling session callers can be booked into. `booked` counts live bookings and is
    only ever changed by one conditional UPDATE (`hotline.care.booking`), so the last place
    goes to exactly one booking; the CHECK holds it even against a bug."""

    __tablename__ = "care_sessions"
    __table_args__ = (
        CheckConstraint("booked >= 0 AND booked <= capacity", name="places"),
        CheckConstraint("capacity > 0 AND minutes > 0", name="positive"),
        UniqueConstraint("pattern_id", "start"),  # publishing a pattern twice adds nothing
        # Partial: free places are looked up among open sessions only.
        Index(
            "ix_care_sessions_open_line_start",
            "hotline_id",
            "start",
            postgresql_where=_OPEN_SESSION,
            sqlite_where=_OPEN_SESSION,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hotline_id: Mapped[int] = mapped_column(ForeignKey("hotlines.id"))
    pattern_id: Mapped[int | None] = mapped_column(
        ForeignKey("care_patterns.id", ondelete="SET NULL")
    )
    place: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200))
    start: Mapped[datetime]
    minutes: Mapped[int]
    capacity: Mapped[int]
    booked: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime]
    created_by: Mapped[str | None] = mapped_column(String(64))
    cancelled_at: Mapped[datetime | None]
    cancelled_by: Mapped[str | None] = mapped_column(String(64))


class StudentCase(Base):
    """One at-risk student of a school line, under a code the system makes (the school keeps
    its own mapping to the student: no name or school ID is stored here)."""

    __tablename__ = "student_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    hotline_id: Mapped[int] = mapped_column(ForeignKey("hotlines.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(index=True)
    opened_by: Mapped[str | None] = mapped_column(String(64))
    closed_at: Mapped[datetime | None]


class CaseCall(Base):
    """A call joined to a student case by an explicit, audited action."""

    __tablename__ = "case_calls"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("student_cases.id", ondelete="CASCADE"), primary_key=True
    )
    call_id: Mapped[int] = mapped_column(
        ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    linked_at: Mapped[datetime]
    linked_by: Mapped[str | None] = mapped_column(String(64))


class Booking(Base):
    """A caller's place in a session, known at the door by `code` alone.

    booked -> attended | missed (marked at reception) | cancelled. `reminder_key` names the
    outbox message of the consented reminder, a random key that says nothing of the booking;
    the caller's number lives sealed in that message only, never here.
    """

    __tablename__ = "care_bookings"
    __table_args__ = (Index("ix_care_bookings_session_state", "session_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("care_sessions.id"))
    hotline_id: Mapped[int] = mapped_column(ForeignKey("hotlines.id"), index=True)
    call_id: Mapped[int | None] = mapped_column(
        ForeignKey("calls.id", ondelete="SET NULL"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("student_cases.id", ondelete="SET NULL"), index=True
    )
    counselor_id: Mapped[int | None] = mapped_column(
        ForeignKey("counselors.id", ondelete="SET NULL")
    )
    booked_by: Mapped[str | None] = mapped_column(String(64))
    booked_at: Mapped[datetime] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(String(12), default="booked")
    reminder_consent: Mapped[bool] = mapped_column(default=False)
    reminder_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    marked_at: Mapped[datetime | None]
    marked_by: Mapped[str | None] = mapped_column(String(64))


class Referral(Base):
    """A referral to a partner: proposed -> sent -> accepted -> attended, or declined / lost
    to follow-up; every change is a `ReferralStep` (and an audit entry)."""

    __tablename__ = "referrals"
    __table_args__ = (Index("ix_referrals_line_state", "hotline_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hotline_id: Mapped[int] = mapped_column(ForeignKey("hotlines.id"))
    call_id: Mapped[int | None] = mapped_column(
        ForeignKey("calls.id", ondelete="SET NULL"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("student_cases.id", ondelete="SET NULL"), index=True
    )
    partner_id: Mapped[int] = mapped_column(ForeignKey("partners.id"))
    urgency: Mapped[str] = mapped_column(String(12))
    reasons: Mapped[list[str]]
    consent: Mapped[bool]
    state: Mapped[str] = mapped_column(String(12), default="proposed")
    created_at: Mapped[datetime] = mapped_column(index=True)
    created_by: Mapped[str | None] = mapped_column(String(64))
    due_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class ReferralStep(Base):
    """One change of a referral's state: to which state, by whom, when."""

    __tablename__ = "referral_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("referrals.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[str] = mapped_column(String(12))
    at: Mapped[datetime]
    by: Mapped[str | None] = mapped_column(String(64))


class SchoolLine(Base):
    """A line that serves a school: its counselors and supervisors keep student cases."""

    __tablename__ = "school_lines"

    hotline_id: Mapped[int] = mapped_column(
        ForeignKey("hotlines.id", ondelete="CASCADE"), primary_key=True
    )
    marked_at: Mapped[datetime]
    marked_by: Mapped[str | None] = mapped_column(String(64))
