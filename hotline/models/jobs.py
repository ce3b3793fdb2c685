"""The scheduler's ledger of job runs, and its heartbeat."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.models.base import Base


class JobRun(Base):
    """One run of a job. A scheduled run names the occurrence it stands for (`scheduled_for`),
    unique per job, so two schedulers or a restart never run one occurrence twice; a run by
    hand has none. A missed occurrence is a row too (outcome `missed`), so it is reported once.
    """

    __tablename__ = "job_runs"
    __table_args__ = (
        UniqueConstraint("job", "scheduled_for", name="uq_job_runs_occurrence"),
        Index("ix_job_runs_job_started", "job", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(32))
    scheduled_for: Mapped[datetime | None]
    now: Mapped[datetime]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    # running, ok, failed, missed, interrupted
    outcome: Mapped[str] = mapped_column(String(12))
    runner: Mapped[str] = mapped_column(String(100))
    detail: Mapped[dict[str, Any]]


class SchedulerBeat(Base):
    """The active scheduler's heartbeat (one row): the web app shows a banner when it is old."""

    __tablename__ = "scheduler_beats"

    id: Mapped[int] = mapped_column(primary_key=True)
    runner: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime]
    beat_at: Mapped[datetime]
