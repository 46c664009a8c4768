"""Retries for the outbox and the inbox sweep: attempts, the next attempt's time, and partial
indexes over what is still to do.

Revision ID: 0008
Revises: 0007
Create Date: 2027-01-20

outbox.attempts / outbox.next_attempt_at: a reply that failed on the network is sent again
later, with growing delays, and given up after a few attempts (storage/inbox.py).
inbox.attempts: an update that keeps failing is given up too, instead of being retried by
every sweep. The partial indexes keep each sweep's query small however many rows are done.
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# As in storage.models (a migration does not import the models it outlives).
WAITING = sa.text("done_at IS NULL")
PENDING = sa.text("sent_at IS NULL AND failed_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True)))
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer, nullable=False, server_default="0"))
    op.create_index(
        "ix_outbox_pending", "outbox", ["id"], sqlite_where=PENDING, postgresql_where=PENDING
    )
    op.create_index(
        "ix_inbox_waiting",
        "inbox",
        ["received_at"],
        sqlite_where=WAITING,
        postgresql_where=WAITING,
    )


def downgrade() -> None:
    op.drop_index("ix_inbox_waiting", "inbox")
    op.drop_index("ix_outbox_pending", "outbox")
    with op.batch_alter_table("inbox") as batch:
        batch.drop_column("attempts")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("next_attempt_at")
        batch.drop_column("attempts")
