"""Indexes for the /pending queue at district scale (a million submissions).

Revision ID: 0007
Revises: 0006
Create Date: 2027-01-10

Two partial indexes over open submissions (待核实, 核实中) in queue order — priority, then
created_at, id — one of them per township; and one on assigned_to, for a cadre's queue.
`ReviewStore.pending` reads one priority level at a time so these indexes give rows in order
and no query sorts or counts the whole queue (bench/storage.py shows the plans).
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# As in storage.models.OPEN_CONDITION (a migration does not import the models it outlives).
OPEN = sa.text("status IN ('待核实', '核实中')")


def upgrade() -> None:
    op.create_index(
        "ix_submissions_queue",
        "submissions",
        ["priority", "created_at", "id", "status"],
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_index(
        "ix_submissions_township_queue",
        "submissions",
        ["township", "priority", "created_at", "id", "status"],
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_index("ix_submissions_assigned_to", "submissions", ["assigned_to"])


def downgrade() -> None:
    op.drop_index("ix_submissions_assigned_to", "submissions")
    op.drop_index("ix_submissions_township_queue", "submissions")
    op.drop_index("ix_submissions_queue", "submissions")
