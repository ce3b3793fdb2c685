"""shift swaps

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02 03:00:00

A counselor's shift offered to a colleague (or to anyone qualified), taken, then approved by an
operator, or at once where the line's `auto_approve_swaps` is on and the swap breaks no coverage
rule. One open offer per shift (a partial unique index over the open states).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import hotline.db

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = "state IN ('offered', 'accepted')"


def upgrade() -> None:
    with op.batch_alter_table("hotlines", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("auto_approve_swaps", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "shift_swaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hotline_id", sa.Integer(), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("start", hotline.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("end", hotline.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("offered_by", sa.Integer(), nullable=False),
        sa.Column("offered_to", sa.Integer(), nullable=True),
        sa.Column("taken_by", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", hotline.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("changed_at", hotline.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("override_key", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["hotline_id"],
            ["hotlines.id"],
            name=op.f("fk_shift_swaps_hotline_id_hotlines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offered_by"],
            ["counselors.id"],
            name=op.f("fk_shift_swaps_offered_by_counselors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offered_to"],
            ["counselors.id"],
            name=op.f("fk_shift_swaps_offered_to_counselors"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["taken_by"],
            ["counselors.id"],
            name=op.f("fk_shift_swaps_taken_by_counselors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift_swaps")),
    )
    with op.batch_alter_table("shift_swaps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shift_swaps_hotline_id"), ["hotline_id"])
        batch_op.create_index(batch_op.f("ix_shift_swaps_start"), ["start"])
        batch_op.create_index(
            "uq_shift_swaps_open",
            ["hotline_id", "tier", "start", "offered_by"],
            unique=True,
            sqlite_where=sa.text(_OPEN),
            postgresql_where=sa.text(_OPEN),
        )


def downgrade() -> None:
    with op.batch_alter_table("shift_swaps", schema=None) as batch_op:
        batch_op.drop_index("uq_shift_swaps_open")
        batch_op.drop_index(batch_op.f("ix_shift_swaps_start"))
        batch_op.drop_index(batch_op.f("ix_shift_swaps_hotline_id"))
    op.drop_table("shift_swaps")
    with op.batch_alter_table("hotlines", schema=None) as batch_op:
        batch_op.drop_column("auto_approve_swaps")
