"""Photos sent with a dialog (the report's 情况说明), kept for staff by the messenger's file ids.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("draft_id", sa.String(16), nullable=False),
        sa.Column("step", sa.String(40), nullable=False),
        sa.Column(
            "submission_id",
            sa.Integer,
            sa.ForeignKey("submissions.id", ondelete="CASCADE"),
            nullable=True,
        ),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("file_id", sa.String(255), nullable=False),
        sa.Column("file_unique_id", sa.String(64), nullable=False),
        sa.Column("file_size", sa.Integer),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("draft_id", "file_unique_id", name="uq_attachments_draft_file"),
    )
    op.create_index("ix_attachments_user_draft", "attachments", ["user_id", "draft_id"])
    op.create_index("ix_attachments_submission_id", "attachments", ["submission_id"])


def downgrade() -> None:
    op.drop_index("ix_attachments_submission_id", "attachments")
    op.drop_index("ix_attachments_user_draft", "attachments")
    op.drop_table("attachments")
