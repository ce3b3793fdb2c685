"""Lines, counselors and the rota: the editable configuration and its immutable versions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column

from hotline.models.base import Base


class Hotline(Base):
    """A line callers dial; its wall-clock times are read in `timezone`."""

    __tablename__ = "hotlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    number: Mapped[str] = mapped_column(String(20), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(10))
    ring_seconds: Mapped[int]
    max_wait_seconds: Mapped[int]
    ring_strategy: Mapped[str] = mapped_column(String(16))
    overflow: Mapped[list[str]]
    fallback_number: Mapped[str | None] = mapped_column(String(20))
    closing_message: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int]
    # A high-risk alert nobody acknowledged within this many minutes reaches more people.
    alert_escalation_minutes: Mapped[int] = mapped_column(default=10, server_default="10")
    # False where texts may not carry links (mainland China's carriers filter them).
    message_links: Mapped[bool] = mapped_column(default=True, server_default=true())
    # When the line is meant to be staffed: weekly windows like a `weekly` pattern's
    # ({days, start, end}); None: all the time. The coverage-gaps job looks only inside them.
    service_hours: Mapped[list[dict[str, Any]] | None] = mapped_column(default=None)
    # The line's coverage rules as the configuration writes them (`rota.rules.read_rules`);
    # None: none. They warn (`hotline rota check`), they never block a rota.
    coverage_rules: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    # Swaps that break no coverage rule and open no gap are approved when accepted (issue 15).
    auto_approve_swaps: Mapped[bool] = mapped_column(default=False, server_default=false())


class Counselor(Base):
    """A person who can be rung; the phone is staff data, shown only to those who need it."""

    __tablename__ = "counselors"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20))
    qualifications: Mapped[list[str]]
    languages: Mapped[list[str]]
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int]
    # The busy lease (CONTRACT routing policy): which call holds this counselor, until when.
    # Claimed with one conditional UPDATE that also takes an expired lease.
    busy_call_sid: Mapped[str | None] = mapped_column(String(64), default=None)
    busy_until: Mapped[datetime | None] = mapped_column(default=None)


class Partner(Base):
    """A hospital or service counselors can refer callers to."""

    __tablename__ = "partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int]


class RotaPattern(Base):
    """A recurring shape of duty (`weekly` or `rotation`, details in `spec`) for one tier."""

    __tablename__ = "rota_patterns"
    __table_args__ = (UniqueConstraint("hotline_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hotline_id: Mapped[int] = mapped_column(ForeignKey("hotlines.id"), index=True)
    key: Mapped[str | None] = mapped_column(String(64))
    position: Mapped[int]
    tier: Mapped[int]
    kind: Mapped[str] = mapped_column(String(16))
    spec: Mapped[dict[str, Any]]
    counselors: Mapped[list[str]]
    valid_from: Mapped[date | None]
    valid_until: Mapped[date | None]


class RotaOverride(Base):
    """A replacement of a tier's counselors; moments are kept as written (local or with offset)."""

    __tablename__ = "rota_overrides"
    __table_args__ = (UniqueConstraint("hotline_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hotline_id: Mapped[int] = mapped_column(ForeignKey("hotlines.id"), index=True)
    key: Mapped[str | None] = mapped_column(String(64))
    position: Mapped[int]
    tier: Mapped[int]
    start: Mapped[str] = mapped_column(String(40))
    end: Mapped[str] = mapped_column(String(40))
    counselors: Mapped[list[str]]


class Leave(Base):
    """A counselor is off; local moments are read in the zone of each line they serve."""

    __tablename__ = "leave"
    __table_args__ = (UniqueConstraint("counselor_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    counselor_id: Mapped[int] = mapped_column(ForeignKey("counselors.id"), index=True)
    key: Mapped[str | None] = mapped_column(String(64))
    position: Mapped[int]
    start: Mapped[str] = mapped_column(String(40))
    end: Mapped[str] = mapped_column(String(40))


class RotaVersion(Base):
    """A line's whole rota as saved at `saved_at`: append-only, so the past never changes."""

    __tablename__ = "rota_versions"
    __table_args__ = (
        UniqueConstraint("hotline_id", "number"),
        Index("ix_rota_versions_hotline_saved", "hotline_id", "saved_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hotline_id: Mapped[int] = mapped_column(ForeignKey("hotlines.id"))
    number: Mapped[int]
    saved_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]]
