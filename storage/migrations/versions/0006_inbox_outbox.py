"""Inbox and outbox: updates stored before they are acknowledged, replies before they are sent.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01

(0006, after 0004: another branch adds 0005; the chain is fixed when both are merged.)
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("incoming", sa.JSON),
        sa.Column("origin", sa.JSON),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_inbox_received_at", "inbox", ["received_at"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("update_id", sa.BigInteger),
        sa.Column("chat_id", sa.BigInteger, nullable=False),
        sa.Column("reply", sa.JSON),
        sa.Column("attachment", sa.LargeBinary),
        sa.Column("origin", sa.JSON),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True)),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.Column("failed_at", sa.DateTime(timezone=True)),
        sa.Column("error", sa.String(200)),
    )
    op.create_index("ix_outbox_update_id", "outbox", ["update_id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_update_id", "outbox")
    op.drop_table("outbox")
    op.drop_index("ix_inbox_received_at", "inbox")
    op.drop_table("inbox")
