"""Dialogs: drafts, submissions, processed updates, staff.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "drafts",
        sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("draft_id", sa.String(16), nullable=False),
        sa.Column("dialog", sa.String(40), nullable=False),
        sa.Column("state", sa.JSON, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("reference", sa.String(20), unique=True),
        sa.Column("dialog", sa.String(40), nullable=False),
        sa.Column("draft_id", sa.String(16), nullable=False, unique=True),
        sa.Column("submitted_by", sa.BigInteger, nullable=False),
        sa.Column("township", sa.String(40)),
        sa.Column("village", sa.String(60)),
        sa.Column("contact_name", sa.String(60)),
        sa.Column("phone", sa.String(30)),
        sa.Column("household_size", sa.Integer),
        sa.Column("annual_income", sa.BigInteger),
        sa.Column("per_capita_income", sa.BigInteger),
        sa.Column("priority", sa.String(20), nullable=False),
        sa.Column("priority_reasons", sa.JSON, nullable=False),
        sa.Column("answers", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_submissions_submitted_by", "submissions", ["submitted_by"])
    op.create_index("ix_submissions_township", "submissions", ["township"])
    op.create_index("ix_submissions_created_at", "submissions", ["created_at"])
    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "staff",
        sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("townships", sa.JSON, nullable=False),
        sa.Column("added_by", sa.BigInteger),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("staff")
    op.drop_table("processed_updates")
    op.drop_index("ix_submissions_created_at", "submissions")
    op.drop_index("ix_submissions_township", "submissions")
    op.drop_index("ix_submissions_submitted_by", "submissions")
    op.drop_table("submissions")
    op.drop_table("drafts")
