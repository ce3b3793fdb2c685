"""statistics roll-ups

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02 02:00:00

Each line's settled local days counted once by the `stats-rollup` job (hotline.records.rollups):
which days are counted and in which zone, calls and calls taken per local hour, the other
tallies per day and per month whose every day is counted; the job's marks. Filled by the job,
never on the call path; empty until it runs (the statistics read the raw rows for every day not
counted yet).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hotline.db

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _line() -> sa.Column[int]:
    return sa.Column("hotline_id", sa.Integer(), nullable=False)


def _line_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["hotline_id"],
        ["hotlines.id"],
        name=op.f(f"fk_{table}_hotline_id_hotlines"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "stats_days",
        _line(),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("rolled_at", hotline.db.UTCDateTime(timezone=True), nullable=False),
        _line_key("stats_days"),
        sa.PrimaryKeyConstraint("hotline_id", "day", name=op.f("pk_stats_days")),
    )
    op.create_table(
        "stats_hours",
        _line(),
        sa.Column("stamp", sa.String(length=16), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("taken", sa.Integer(), nullable=False),
        _line_key("stats_hours"),
        sa.PrimaryKeyConstraint("hotline_id", "stamp", name=op.f("pk_stats_hours")),
    )
    op.create_table(
        "stats_tallies",
        _line(),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("seconds", sa.Double(), nullable=False),
        _line_key("stats_tallies"),
        sa.PrimaryKeyConstraint("hotline_id", "day", "kind", "key", name=op.f("pk_stats_tallies")),
    )
    op.create_table(
        "stats_months",
        _line(),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("seconds", sa.Double(), nullable=False),
        _line_key("stats_months"),
        sa.PrimaryKeyConstraint("hotline_id", "month", "kind", "key", name=op.f("pk_stats_months")),
    )
    op.create_table(
        "stats_marks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.BigInteger(), nullable=False),
        sa.Column("attempt_id", sa.BigInteger(), nullable=False),
        sa.Column("outcome_at", hotline.db.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stats_marks")),
    )


def downgrade() -> None:
    op.drop_table("stats_marks")
    op.drop_table("stats_months")
    op.drop_table("stats_tallies")
    op.drop_table("stats_hours")
    op.drop_table("stats_days")
