"""Teaching the bot: taught phrasings, questions set aside, answers given with their 👍 / 👎,
doubtful answers; the entries nearest to each unanswered question.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.add_column(sa.Column("nearest", sa.JSON))
    op.create_table(
        "learned_phrasings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entry_id", sa.String(80), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("text_key", sa.String(64), nullable=False, unique=True),
        sa.Column("origin", sa.String(12), nullable=False),
        sa.Column("added_by", sa.BigInteger, nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("exported_at", sa.DateTime(timezone=True)),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "dismissed_questions",
        sa.Column("text_key", sa.String(64), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("dismissed_by", sa.BigInteger, nullable=False),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "given_answers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("entry_id", sa.String(80), nullable=False),
        sa.Column("question", sa.Text),
        sa.Column("nearest", sa.JSON, nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_given_answers_user_at", "given_answers", ["user_id", "given_at"])
    op.create_index("ix_given_answers_given_at", "given_answers", ["given_at"])
    op.create_table(
        "answer_votes",
        sa.Column("answer_id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("entry_id", sa.String(80), nullable=False),
        sa.Column("vote", sa.SmallInteger, nullable=False),
        sa.Column("voted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_answer_votes_entry_id", "answer_votes", ["entry_id"])
    op.create_table(
        "doubtful_answers",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("entry_id", sa.String(80), nullable=False),
        sa.Column("nearest", sa.JSON, nullable=False),
        sa.Column("reason", sa.String(12), nullable=False),
        sa.Column("user_id", sa.BigInteger),
        sa.Column("answer_id", sa.Integer, unique=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_doubtful_answers_at", "doubtful_answers", ["at"])


def downgrade() -> None:
    op.drop_table("doubtful_answers")
    op.drop_table("answer_votes")
    op.drop_table("given_answers")
    op.drop_table("dismissed_questions")
    op.drop_table("learned_phrasings")
    with op.batch_alter_table("unanswered_questions") as batch:
        batch.drop_column("nearest")
