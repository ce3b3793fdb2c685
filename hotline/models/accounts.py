"""People who sign in, their line scopes and second factors, login throttling and the append-only
audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.models.base import Base


class User(Base):
    """An account. `session_generation` changes on logout, deactivation and role change:
    every session carrying an older generation is refused on its next request.
    """

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    counselor_id: Mapped[int | None] = mapped_column(ForeignKey("counselors.id"))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    language: Mapped[str | None] = mapped_column(String(10))
    # Non-urgent messages wait while it is "HH:MM-HH:MM" in `timezone` (None: no quiet hours).
    quiet_hours: Mapped[str | None] = mapped_column(String(11))
    timezone: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    # Sealed with the data key (hotline.accounts.enrolment); plain base32 if set before 0008.
    totp_secret: Mapped[str | None] = mapped_column(String(255))
    totp_last_step: Mapped[int | None]
    session_generation: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]


class UserHotline(Base):
    """A line an operator or supervisor is scoped to (none at all: every line)."""

    __tablename__ = "user_hotlines"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    hotline_id: Mapped[int] = mapped_column(
        ForeignKey("hotlines.id", ondelete="CASCADE"), primary_key=True
    )


class TotpEnrolment(Base):
    """A second factor being set up: its secret waits here, sealed with the data key, until the
    user confirms a code from it or it expires (never in the session cookie)."""

    __tablename__ = "totp_enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    secret: Mapped[str] = mapped_column(String(255))
    expires_at: Mapped[datetime]


class RecoveryCode(Base):
    """A one-time code that stands in for a TOTP code: shown once at enrolment, kept hashed."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    used_at: Mapped[datetime | None]


class LoginFailure(Base):
    """One failed sign-in, counted by keyed digests (of the account, the address, and the two
    together), so the throttle is shared by every worker and never stores what was typed.
    """

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_scope_at", "scope", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(index=True)


class AuditEntry(Base):
    """Who did what to which record, when. Append-only (triggers refuse updates and deletes);
    only the retention purge removes old entries.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]]


class AuditPurgePermit(Base):
    """On SQLite, the retention purge's permit to delete audit entries: a row inserted and
    removed within the purge's own transaction, which the append-only triggers look for.
    (PostgreSQL's trigger reads a transaction setting instead.)"""

    __tablename__ = "audit_purge_permits"

    id: Mapped[int] = mapped_column(primary_key=True)
