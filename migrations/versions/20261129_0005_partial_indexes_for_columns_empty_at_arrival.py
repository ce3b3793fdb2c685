"""partial indexes for columns that are empty when a call arrives; no duplicate attempts index

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 15:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A call arrives with no counselor, no answering line and (outside a pseudonym key rotation) no
# linked pseudonym: indexes that hold only the rows where these are set cost nothing when a
# call arrives, and every query on them compares them to a value, which implies IS NOT NULL
# on both engines. ix_call_attempts_call_id repeated the unique key's first column.
PARTIAL = (
    ("ix_calls_caller_link_arrived", "caller_link"),
    ("ix_calls_answered_by_arrived", "answered_by_id"),
    ("ix_calls_answered_line_arrived", "answered_line_id"),
)


def upgrade() -> None:
    for name, column in PARTIAL:
        op.drop_index(name, table_name="calls")
        where = sa.text(f"{column} IS NOT NULL")
        op.create_index(
            name,
            "calls",
            [column, "arrived_at"],
            postgresql_where=where,
            sqlite_where=where,
        )
    op.drop_index("ix_call_attempts_call_id", table_name="call_attempts")


def downgrade() -> None:
    op.create_index("ix_call_attempts_call_id", "call_attempts", ["call_id"])
    for name, column in PARTIAL:
        op.drop_index(name, table_name="calls")
        op.create_index(name, "calls", [column, "arrived_at"])
