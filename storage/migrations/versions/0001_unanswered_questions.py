"""Unanswered questions log.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unanswered_questions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("best_score", sa.Float, nullable=False),
        sa.Column("best_entry_id", sa.String(80)),
        sa.Column("user_id", sa.BigInteger),
    )
    op.create_index("ix_unanswered_asked_at", "unanswered_questions", ["asked_at"])


def downgrade() -> None:
    op.drop_index("ix_unanswered_asked_at", "unanswered_questions")
    op.drop_table("unanswered_questions")
