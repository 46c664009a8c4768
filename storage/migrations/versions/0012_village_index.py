"""An index for the villages already recorded in a township (the report's village step).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30

`SubmissionStore.villages_of` counts a township's recorded villages, most often first, each
time a resident reaches the village step of /report and each time the web console lists a
township's villages. By the township index alone that reads every submission of the township
(tens of thousands at district scale); on (township, village) it is an index-only count
(bench/storage.py shows the plans).
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_submissions_township_village", "submissions", ["township", "village"])


def downgrade() -> None:
    op.drop_index("ix_submissions_township_village", "submissions")
