"""Photos a resident sends with a dialog (at a step that takes them: the report's 情况说明),
kept for staff: the table and its named queries.

Only the messenger's references are stored — `file_id` (to send the photo again), its
`file_unique_id` and size — never the image: the bot re-sends a photo by its id to the staff
member who asks for it (/view). A photo belongs to the draft it was sent in (`user_id`,
`draft_id`) until the draft is submitted, then to the submission (`submission_id`): deleting
the submission (/delete) deletes its photos with it (ON DELETE CASCADE), and a draft that is
cancelled, declined, replaced by a new one or deleted drops its photos through
`drop_unsubmitted`. Imported by `storage.models`, so the table is part of `Base.metadata`;
created by migration 0011.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.database import Database
from storage.database import rows_changed as _changed
from storage.models import Base, Submission, utcnow

PHOTO = "photo"


class Attachment(Base):
    """One photo sent in a dialog: the messenger's ids for it, the draft it came with and,
    once submitted, the submission it belongs to."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    draft_id: Mapped[str] = mapped_column(String(16))
    step: Mapped[str] = mapped_column(String(40))  # the step it was sent at (description)
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(10), default=PHOTO)
    file_id: Mapped[str] = mapped_column(String(255))
    file_unique_id: Mapped[str] = mapped_column(String(64))
    file_size: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    __table_args__ = (
        # The same photo sent twice in one draft is kept once.
        UniqueConstraint("draft_id", "file_unique_id", name="uq_attachments_draft_file"),
        Index("ix_attachments_user_draft", "user_id", "draft_id"),
        Index("ix_attachments_submission_id", "submission_id"),
    )


class Attachments:
    """Named queries on `attachments`; each joins the update's unit of work when there is one."""

    def __init__(self, db: Database):
        self.db = db

    def add(
        self,
        user_id: int,
        draft_id: str,
        step: str,
        file_id: str,
        file_unique_id: str,
        file_size: int | None,
    ) -> bool:
        """Keep a photo sent with the draft; False when this draft has it already. Photos the
        user left behind in drafts that are gone are dropped on the way."""
        with self.db.session() as session:
            session.execute(
                delete(Attachment).where(
                    Attachment.user_id == user_id,
                    Attachment.submission_id.is_(None),
                    Attachment.draft_id != draft_id,
                )
            )
            known = session.scalar(
                select(Attachment.id).where(
                    Attachment.draft_id == draft_id, Attachment.file_unique_id == file_unique_id
                )
            )
            if known is not None:
                return False
            session.add(
                Attachment(
                    user_id=user_id,
                    draft_id=draft_id,
                    step=step,
                    kind=PHOTO,
                    file_id=file_id,
                    file_unique_id=file_unique_id,
                    file_size=file_size,
                )
            )
            return True

    def count_in_draft(self, user_id: int, draft_id: str) -> int:
        with self.db.session() as session:
            return (
                session.scalar(
                    select(func.count())
                    .select_from(Attachment)
                    .where(
                        Attachment.user_id == user_id,
                        Attachment.draft_id == draft_id,
                        Attachment.submission_id.is_(None),
                    )
                )
                or 0
            )

    def attach_to_submission(self, user_id: int, draft_id: str) -> int:
        """Hand the draft's photos to the submission made from it (same draft id); how many."""
        with self.db.connection() as connection:
            submission_id = (
                select(Submission.id).where(Submission.draft_id == draft_id).scalar_subquery()
            )
            result = connection.execute(
                update(Attachment)
                .where(
                    Attachment.user_id == user_id,
                    Attachment.draft_id == draft_id,
                    Attachment.submission_id.is_(None),
                )
                .values(submission_id=submission_id)
            )
            return _changed(result)

    def drop_unsubmitted(self, user_id: int) -> int:
        """Delete the photos of the user's draft (cancelled, declined, replaced or deleted)."""
        with self.db.connection() as connection:
            result = connection.execute(
                delete(Attachment).where(
                    Attachment.user_id == user_id, Attachment.submission_id.is_(None)
                )
            )
            return _changed(result)

    def of_submission(self, submission_id: int) -> list[Attachment]:
        """The submission's photos, in the order they were sent."""
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(Attachment)
                    .where(Attachment.submission_id == submission_id)
                    .order_by(Attachment.id)
                )
            )

    def count_of(self, submission_ids: list[int]) -> dict[int, int]:
        """submission id → how many photos it has, for those that have any."""
        if not submission_ids:
            return {}
        with self.db.session() as session:
            rows = session.execute(
                select(Attachment.submission_id, func.count())
                .where(Attachment.submission_id.in_(sorted(set(submission_ids))))
                .group_by(Attachment.submission_id)
            )
            return {submission_id: count for submission_id, count in rows if submission_id}
