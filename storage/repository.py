"""Named queries; handlers and the core never compose SQL themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from storage.database import Database
from storage.models import (
    Draft,
    ProcessedUpdate,
    StaffMember,
    Submission,
    UnansweredQuestion,
    utcnow,
)

# Stored question text is capped; a 10,000-character paste is kept only in part.
MAX_STORED_QUESTION = 1000


class UnansweredLog:
    def __init__(self, db: Database):
        self.db = db

    def record(self, text: str, best_score: float, best_entry_id: str | None, user_id: int | None) -> None:
        with self.db.session() as session:
            session.add(
                UnansweredQuestion(
                    text=text[:MAX_STORED_QUESTION],
                    best_score=best_score,
                    best_entry_id=best_entry_id,
                    user_id=user_id,
                )
            )

    def most_frequent(self, limit: int = 20) -> list[tuple[str, int]]:
        with self.db.session() as session:
            rows = session.execute(
                select(UnansweredQuestion.text, func.count().label("n"))
                .group_by(UnansweredQuestion.text)
                .order_by(func.count().desc(), UnansweredQuestion.text)
                .limit(limit)
            )
            return [(text, n) for text, n in rows]

    def count(self) -> int:
        with self.db.session() as session:
            return session.scalar(select(func.count()).select_from(UnansweredQuestion)) or 0


@dataclass(frozen=True)
class StoredDraft:
    draft_id: str
    dialog: str
    state: dict[str, Any]
    version: int


class DraftStore:
    """The one dialog in progress per user, with a version for optimistic concurrency."""

    def __init__(self, db: Database):
        self.db = db

    def load(self, user_id: int) -> StoredDraft | None:
        with self.db.session() as session:
            row = session.get(Draft, user_id)
            if row is None:
                return None
            return StoredDraft(row.draft_id, row.dialog, dict(row.state), row.version)

    def replace(self, user_id: int, draft_id: str, dialog: str, state: dict[str, Any]) -> int:
        """Start a new draft for the user (any older draft is discarded); returns its version."""
        with self.db.session() as session:
            session.execute(delete(Draft).where(Draft.user_id == user_id))
            session.add(Draft(user_id=user_id, draft_id=draft_id, dialog=dialog, state=state, version=1))
        return 1

    def save(self, user_id: int, state: dict[str, Any], version: int) -> int | None:
        """Store the new state if nobody else changed the draft since `version`; the new version."""
        with self.db.session() as session:
            result = session.execute(
                update(Draft)
                .where(Draft.user_id == user_id, Draft.version == version)
                .values(state=state, version=version + 1, updated_at=utcnow())
            )
            return version + 1 if result.rowcount == 1 else None

    def delete(self, user_id: int) -> None:
        with self.db.session() as session:
            session.execute(delete(Draft).where(Draft.user_id == user_id))


@dataclass(frozen=True)
class NewSubmission:
    dialog: str
    draft_id: str
    submitted_by: int
    answers: dict[str, Any]
    township: str | None
    village: str | None
    contact_name: str | None
    phone: str | None
    household_size: int | None
    annual_income: int | None
    per_capita_income: int | None
    priority: str
    priority_reasons: list[str]


def reference_for(submission_id: int) -> str:
    return f"FP{submission_id:06d}"


class SubmissionStore:
    def __init__(self, db: Database):
        self.db = db

    def submit(self, new: NewSubmission) -> tuple[str, bool]:
        """Store the submission and drop its draft, once per draft: (reference, newly created)."""
        existing = self.reference_of_draft(new.draft_id)
        if existing is not None:
            return existing, False
        try:
            with self.db.session() as session:
                row = Submission(**new.__dict__, status="待核实")
                session.add(row)
                session.flush()
                row.reference = reference_for(row.id)
                session.execute(
                    delete(Draft).where(Draft.user_id == new.submitted_by, Draft.draft_id == new.draft_id)
                )
                return row.reference, True
        except IntegrityError:  # another instance submitted the same draft a moment ago
            existing = self.reference_of_draft(new.draft_id)
            if existing is None:
                raise
            return existing, False

    def reference_of_draft(self, draft_id: str) -> str | None:
        with self.db.session() as session:
            return session.scalar(select(Submission.reference).where(Submission.draft_id == draft_id))

    def of_user(self, user_id: int) -> list[Submission]:
        with self.db.session() as session:
            return list(
                session.scalars(
                    select(Submission)
                    .where(Submission.submitted_by == user_id)
                    .order_by(Submission.created_at.desc(), Submission.id.desc())
                )
            )

    def by_reference(self, reference: str) -> Submission | None:
        with self.db.session() as session:
            return session.scalar(select(Submission).where(Submission.reference == reference))

    def count(self) -> int:
        with self.db.session() as session:
            return session.scalar(select(func.count()).select_from(Submission)) or 0


# Processed update ids are kept this long: far beyond any redelivery by Telegram.
UPDATE_MEMORY = timedelta(days=2)


class UpdateLog:
    """Remembers handled Telegram update ids so a redelivered update is ignored."""

    def __init__(self, db: Database):
        self.db = db

    def first_time(self, update_id: int) -> bool:
        try:
            with self.db.session() as session:
                session.add(ProcessedUpdate(update_id=update_id))
        except IntegrityError:
            return False
        if update_id % 500 == 0:
            with self.db.session() as session:
                session.execute(
                    delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < utcnow() - UPDATE_MEMORY)
                )
        return True


class StaffDirectory:
    """Staff roles; the ADMIN_IDS users are admins whatever the table says."""

    def __init__(self, db: Database, admin_ids: frozenset[int] = frozenset()):
        self.db = db
        self.admin_ids = admin_ids

    def role_of(self, user_id: int) -> str | None:
        return self.get(user_id).role

    def get(self, user_id: int):
        """The user's `review.access.StaffRole` (role None for non-staff)."""
        from review.access import StaffRole

        if user_id in self.admin_ids:
            return StaffRole(user_id, "admin")
        with self.db.session() as session:
            member = session.get(StaffMember, user_id)
            if member is None:
                return StaffRole(user_id, None)
            return StaffRole(user_id, member.role, tuple(member.townships or ()))

    def add(self, user_id: int, role: str, townships: list[str], added_by: int | None) -> None:
        with self.db.session() as session:
            session.merge(StaffMember(user_id=user_id, role=role, townships=townships, added_by=added_by))

    def remove(self, user_id: int) -> bool:
        with self.db.session() as session:
            return session.execute(delete(StaffMember).where(StaffMember.user_id == user_id)).rowcount > 0

    def members(self) -> list[StaffMember]:
        with self.db.session() as session:
            return list(session.scalars(select(StaffMember).order_by(StaffMember.role, StaffMember.user_id)))
