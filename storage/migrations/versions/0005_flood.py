"""Flood control: the updates each user sent in the last few seconds (assistant.flood).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flood_marks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(4), nullable=False),
    )
    op.create_index("ix_flood_marks_user_at", "flood_marks", ["user_id", "at"])


def downgrade() -> None:
    op.drop_table("flood_marks")
