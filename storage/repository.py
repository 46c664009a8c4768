"""Named queries; handlers and the core never compose SQL themselves."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.database import Database
from storage.models import UnansweredQuestion

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
